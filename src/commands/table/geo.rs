//! Geospatial index commands (group `geo`).
// Hand-maintained: this file is the source (see table/mod.rs).

use crate::commands::def::*;

#[rustfmt::skip]
pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "geoadd",
        group: Group::Geo,
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        key_specs: &[ks(keyflags::RW | keyflags::UPDATE, index(1), range(0, 1, 0))],
        handler: Some(crate::types::geo::geoadd_command),
        summary: "Add longitude/latitude positions of members to a geospatial index",
        since: "3.2.0",
        complexity: "O(log(N)) per member added, N being the size of the sorted set.",
        history: &[("6.2.0", "CH, NX and XX options added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "condition",
                typ: ArgType::OneOf,
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "nx", typ: ArgType::PureToken, token: Some("NX"), ..Arg::DEFAULT },
                    Arg { name: "xx", typ: ArgType::PureToken, token: Some("XX"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "change",
                typ: ArgType::PureToken,
                token: Some("CH"),
                since: Some("6.2.0"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "longitude_latitude_member",
                typ: ArgType::Block,
                flags: argflags::MULTIPLE,
                subargs: &[
                    Arg { name: "longitude", typ: ArgType::Double, ..Arg::DEFAULT },
                    Arg { name: "latitude", typ: ArgType::Double, ..Arg::DEFAULT },
                    Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "geodist",
        group: Group::Geo,
        arity: -4,
        flags: flags::READONLY,
        acl: acl::GEO,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::geo::geodist_command),
        summary: "Measure the distance between two members of a geospatial index",
        since: "3.2.0",
        complexity: "O(log(N))",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member1", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "member2", typ: ArgType::String, ..Arg::DEFAULT },
            Arg {
                name: "unit",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg { name: "m", typ: ArgType::PureToken, token: Some("m"), ..Arg::DEFAULT },
                    Arg { name: "km", typ: ArgType::PureToken, token: Some("km"), ..Arg::DEFAULT },
                    Arg { name: "ft", typ: ArgType::PureToken, token: Some("ft"), ..Arg::DEFAULT },
                    Arg { name: "mi", typ: ArgType::PureToken, token: Some("mi"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "geohash",
        group: Group::Geo,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::GEO,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::geo::geohash_command),
        summary: "Return the geohash strings of members of a geospatial index",
        since: "3.2.0",
        complexity: "O(log(N)) per member asked for, N being the size of the sorted set.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "geopos",
        group: Group::Geo,
        arity: -2,
        flags: flags::READONLY,
        acl: acl::GEO,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::geo::geopos_command),
        summary: "Look up the coordinates (longitude, latitude) of members of a geospatial index",
        since: "3.2.0",
        complexity: "O(N), N being the number of members asked for.",
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, flags: argflags::MULTIPLE, ..Arg::DEFAULT },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "georadius",
        group: Group::Geo,
        arity: -6,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        key_specs: &[
            ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0)),
            ks(keyflags::OW | keyflags::UPDATE, keyword("STORE", 6), range(0, 1, 0)),
            ks(keyflags::OW | keyflags::UPDATE, keyword("STOREDIST", 6), range(0, 1, 0)),
        ],
        getkeys: Some(crate::commands::getkeys::georadius_getkeys),
        handler: Some(crate::types::geo::georadius_command),
        summary: "Find members of a geospatial index within a radius of a point, optionally storing them",
        since: "3.2.0",
        complexity: "O(N+log(M)), N being the number of elements in the bounding box of the circle and M the size of the index.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
        history: &[
            ("6.2.0", "ANY modifier for COUNT added."),
            ("7.0.0", "Unit names may be uppercase."),
        ],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "longitude", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "latitude", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "radius", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg {
                name: "unit",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg { name: "m", typ: ArgType::PureToken, token: Some("m"), ..Arg::DEFAULT },
                    Arg { name: "km", typ: ArgType::PureToken, token: Some("km"), ..Arg::DEFAULT },
                    Arg { name: "ft", typ: ArgType::PureToken, token: Some("ft"), ..Arg::DEFAULT },
                    Arg { name: "mi", typ: ArgType::PureToken, token: Some("mi"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withcoord",
                typ: ArgType::PureToken,
                token: Some("WITHCOORD"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withdist",
                typ: ArgType::PureToken,
                token: Some("WITHDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withhash",
                typ: ArgType::PureToken,
                token: Some("WITHHASH"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("COUNT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "any",
                        typ: ArgType::PureToken,
                        token: Some("ANY"),
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                token: Some("STORE"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 2,
                token: Some("STOREDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "georadius_ro",
        group: Group::Geo,
        arity: -6,
        flags: flags::READONLY,
        acl: acl::GEO,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::geo::georadius_ro_command),
        summary: "Find members of a geospatial index within a radius of a point (read-only GEORADIUS)",
        since: "3.2.10",
        complexity: "O(N+log(M)), N being the number of elements in the bounding box of the circle and M the size of the index.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` argument"),
        history: &[("6.2.0", "ANY modifier for COUNT added.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "longitude", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "latitude", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg { name: "radius", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg {
                name: "unit",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg { name: "m", typ: ArgType::PureToken, token: Some("m"), ..Arg::DEFAULT },
                    Arg { name: "km", typ: ArgType::PureToken, token: Some("km"), ..Arg::DEFAULT },
                    Arg { name: "ft", typ: ArgType::PureToken, token: Some("ft"), ..Arg::DEFAULT },
                    Arg { name: "mi", typ: ArgType::PureToken, token: Some("mi"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withcoord",
                typ: ArgType::PureToken,
                token: Some("WITHCOORD"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withdist",
                typ: ArgType::PureToken,
                token: Some("WITHDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withhash",
                typ: ArgType::PureToken,
                token: Some("WITHHASH"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("COUNT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "any",
                        typ: ArgType::PureToken,
                        token: Some("ANY"),
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "georadiusbymember",
        group: Group::Geo,
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        key_specs: &[
            ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0)),
            ks(keyflags::OW | keyflags::UPDATE, keyword("STORE", 5), range(0, 1, 0)),
            ks(keyflags::OW | keyflags::UPDATE, keyword("STOREDIST", 5), range(0, 1, 0)),
        ],
        getkeys: Some(crate::commands::getkeys::georadius_getkeys),
        handler: Some(crate::types::geo::georadiusbymember_command),
        summary: "Find members of a geospatial index within a radius of another member, optionally storing them",
        since: "3.2.0",
        complexity: "O(N+log(M)), N being the number of elements in the bounding box of the circle and M the size of the index.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
        history: &[("7.0.0", "Unit names may be uppercase.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "radius", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg {
                name: "unit",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg { name: "m", typ: ArgType::PureToken, token: Some("m"), ..Arg::DEFAULT },
                    Arg { name: "km", typ: ArgType::PureToken, token: Some("km"), ..Arg::DEFAULT },
                    Arg { name: "ft", typ: ArgType::PureToken, token: Some("ft"), ..Arg::DEFAULT },
                    Arg { name: "mi", typ: ArgType::PureToken, token: Some("mi"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withcoord",
                typ: ArgType::PureToken,
                token: Some("WITHCOORD"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withdist",
                typ: ArgType::PureToken,
                token: Some("WITHDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withhash",
                typ: ArgType::PureToken,
                token: Some("WITHHASH"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("COUNT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "any",
                        typ: ArgType::PureToken,
                        token: Some("ANY"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 1,
                token: Some("STORE"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "key",
                typ: ArgType::Key,
                key_spec_index: 2,
                token: Some("STOREDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "georadiusbymember_ro",
        group: Group::Geo,
        arity: -5,
        flags: flags::READONLY,
        acl: acl::GEO,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::geo::georadiusbymember_ro_command),
        summary: "Find members of a geospatial index within a radius of another member (read-only GEORADIUSBYMEMBER)",
        since: "3.2.10",
        complexity: "O(N+log(M)), N being the number of elements in the bounding box of the circle and M the size of the index.",
        doc_flags: docflags::DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "member", typ: ArgType::String, ..Arg::DEFAULT },
            Arg { name: "radius", typ: ArgType::Double, ..Arg::DEFAULT },
            Arg {
                name: "unit",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg { name: "m", typ: ArgType::PureToken, token: Some("m"), ..Arg::DEFAULT },
                    Arg { name: "km", typ: ArgType::PureToken, token: Some("km"), ..Arg::DEFAULT },
                    Arg { name: "ft", typ: ArgType::PureToken, token: Some("ft"), ..Arg::DEFAULT },
                    Arg { name: "mi", typ: ArgType::PureToken, token: Some("mi"), ..Arg::DEFAULT },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withcoord",
                typ: ArgType::PureToken,
                token: Some("WITHCOORD"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withdist",
                typ: ArgType::PureToken,
                token: Some("WITHDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withhash",
                typ: ArgType::PureToken,
                token: Some("WITHHASH"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("COUNT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "any",
                        typ: ArgType::PureToken,
                        token: Some("ANY"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "geosearch",
        group: Group::Geo,
        arity: -7,
        flags: flags::READONLY,
        acl: acl::GEO,
        key_specs: &[ks(keyflags::RO | keyflags::ACCESS, index(1), range(0, 1, 0))],
        handler: Some(crate::types::geo::geosearch_command),
        summary: "Find members of a geospatial index inside a circle or a box",
        since: "6.2.0",
        complexity: "O(N+log(M)), N being the number of elements in the grid-aligned box around the shape and M the number of items in the shape.",
        history: &[("7.0.0", "Unit names may be uppercase.")],
        args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg {
                name: "from",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "member",
                        typ: ArgType::String,
                        token: Some("FROMMEMBER"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "longitude_latitude",
                        typ: ArgType::Block,
                        token: Some("FROMLONLAT"),
                        subargs: &[
                            Arg { name: "longitude", typ: ArgType::Double, ..Arg::DEFAULT },
                            Arg { name: "latitude", typ: ArgType::Double, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "by",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "circle",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg {
                                name: "radius",
                                typ: ArgType::Double,
                                token: Some("BYRADIUS"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "unit",
                                typ: ArgType::OneOf,
                                subargs: &[
                                    Arg {
                                        name: "m",
                                        typ: ArgType::PureToken,
                                        token: Some("m"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "km",
                                        typ: ArgType::PureToken,
                                        token: Some("km"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "ft",
                                        typ: ArgType::PureToken,
                                        token: Some("ft"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "mi",
                                        typ: ArgType::PureToken,
                                        token: Some("mi"),
                                        ..Arg::DEFAULT
                                    },
                                ],
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "box",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg {
                                name: "width",
                                typ: ArgType::Double,
                                token: Some("BYBOX"),
                                ..Arg::DEFAULT
                            },
                            Arg { name: "height", typ: ArgType::Double, ..Arg::DEFAULT },
                            Arg {
                                name: "unit",
                                typ: ArgType::OneOf,
                                subargs: &[
                                    Arg {
                                        name: "m",
                                        typ: ArgType::PureToken,
                                        token: Some("m"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "km",
                                        typ: ArgType::PureToken,
                                        token: Some("km"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "ft",
                                        typ: ArgType::PureToken,
                                        token: Some("ft"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "mi",
                                        typ: ArgType::PureToken,
                                        token: Some("mi"),
                                        ..Arg::DEFAULT
                                    },
                                ],
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("COUNT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "any",
                        typ: ArgType::PureToken,
                        token: Some("ANY"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "withcoord",
                typ: ArgType::PureToken,
                token: Some("WITHCOORD"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withdist",
                typ: ArgType::PureToken,
                token: Some("WITHDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
            Arg {
                name: "withhash",
                typ: ArgType::PureToken,
                token: Some("WITHHASH"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "geosearchstore",
        group: Group::Geo,
        arity: -8,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        key_specs: &[
            ks(keyflags::OW | keyflags::UPDATE, index(1), range(0, 1, 0)),
            ks(keyflags::RO | keyflags::ACCESS, index(2), range(0, 1, 0)),
        ],
        handler: Some(crate::types::geo::geosearchstore_command),
        summary: "Find members of a geospatial index inside a circle or a box and store them in a key",
        since: "6.2.0",
        complexity: "O(N+log(M)), N being the number of elements in the grid-aligned box around the shape and M the number of items in the shape.",
        history: &[("7.0.0", "Unit names may be uppercase.")],
        args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, ..Arg::DEFAULT },
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 1, ..Arg::DEFAULT },
            Arg {
                name: "from",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "member",
                        typ: ArgType::String,
                        token: Some("FROMMEMBER"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "longitude_latitude",
                        typ: ArgType::Block,
                        token: Some("FROMLONLAT"),
                        subargs: &[
                            Arg { name: "longitude", typ: ArgType::Double, ..Arg::DEFAULT },
                            Arg { name: "latitude", typ: ArgType::Double, ..Arg::DEFAULT },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "by",
                typ: ArgType::OneOf,
                subargs: &[
                    Arg {
                        name: "circle",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg {
                                name: "radius",
                                typ: ArgType::Double,
                                token: Some("BYRADIUS"),
                                ..Arg::DEFAULT
                            },
                            Arg {
                                name: "unit",
                                typ: ArgType::OneOf,
                                subargs: &[
                                    Arg {
                                        name: "m",
                                        typ: ArgType::PureToken,
                                        token: Some("m"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "km",
                                        typ: ArgType::PureToken,
                                        token: Some("km"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "ft",
                                        typ: ArgType::PureToken,
                                        token: Some("ft"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "mi",
                                        typ: ArgType::PureToken,
                                        token: Some("mi"),
                                        ..Arg::DEFAULT
                                    },
                                ],
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "box",
                        typ: ArgType::Block,
                        subargs: &[
                            Arg {
                                name: "width",
                                typ: ArgType::Double,
                                token: Some("BYBOX"),
                                ..Arg::DEFAULT
                            },
                            Arg { name: "height", typ: ArgType::Double, ..Arg::DEFAULT },
                            Arg {
                                name: "unit",
                                typ: ArgType::OneOf,
                                subargs: &[
                                    Arg {
                                        name: "m",
                                        typ: ArgType::PureToken,
                                        token: Some("m"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "km",
                                        typ: ArgType::PureToken,
                                        token: Some("km"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "ft",
                                        typ: ArgType::PureToken,
                                        token: Some("ft"),
                                        ..Arg::DEFAULT
                                    },
                                    Arg {
                                        name: "mi",
                                        typ: ArgType::PureToken,
                                        token: Some("mi"),
                                        ..Arg::DEFAULT
                                    },
                                ],
                                ..Arg::DEFAULT
                            },
                        ],
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "order",
                typ: ArgType::OneOf,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "asc",
                        typ: ArgType::PureToken,
                        token: Some("ASC"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "desc",
                        typ: ArgType::PureToken,
                        token: Some("DESC"),
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "count",
                typ: ArgType::Block,
                flags: argflags::OPTIONAL,
                subargs: &[
                    Arg {
                        name: "count",
                        typ: ArgType::Integer,
                        token: Some("COUNT"),
                        ..Arg::DEFAULT
                    },
                    Arg {
                        name: "any",
                        typ: ArgType::PureToken,
                        token: Some("ANY"),
                        flags: argflags::OPTIONAL,
                        ..Arg::DEFAULT
                    },
                ],
                ..Arg::DEFAULT
            },
            Arg {
                name: "storedist",
                typ: ArgType::PureToken,
                token: Some("STOREDIST"),
                flags: argflags::OPTIONAL,
                ..Arg::DEFAULT
            },
        ],
        ..CommandDef::DEFAULT
    },
];
