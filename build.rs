//! Builds the tiny C shim for x87 `long double` arithmetic: Redis computes
//! INCRBYFLOAT / HINCRBYFLOAT in `long double` and prints it with
//! `%.17Lf`, and Rust has no 80-bit float, so exact replies need C here.
fn main() {
    println!("cargo:rerun-if-changed=src/util/longdouble.c");
    cc::Build::new()
        .file("src/util/longdouble.c")
        .opt_level(2)
        .compile("oxidis_longdouble");
}
