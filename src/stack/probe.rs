//! A Stack type that exists only in unit tests: it exercises the plug-in
//! surface (RDB fields, DUMP/RESTORE, digest, fuzzing) before and apart
//! from the real types.

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use std::io::{self, Read, Write};

#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    pub items: Vec<Vec<u8>>,
    pub score: f64,
}

impl StackType for Probe {
    const INFO: TypeInfo = TypeInfo {
        name: "OXprobe-T",
        encver: 2,
        module: "oxprobe",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.unsigned(self.items.len() as u64)?;
        for it in &self.items {
            w.string(it)?;
        }
        w.double(self.score)
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        if encver > Self::INFO.encver {
            return corrupt(format!("unknown encoding version {encver}"));
        }
        let n = r.unsigned()?;
        let mut items = Vec::new();
        for _ in 0..n {
            items.push(r.string()?);
        }
        let score = r.double()?;
        if score.is_nan() {
            return corrupt("NaN score");
        }
        Ok(Probe { items, score })
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut cmd = vec![b"PROBE.ADD".to_vec(), key.to_vec()];
        cmd.extend(self.items.iter().cloned());
        vec![cmd]
    }

    fn digest(&self, d: &mut ModuleDigest) {
        for it in &self.items {
            d.add_string_buffer(it);
        }
        d.add_long_long(self.score as i64);
        d.end_sequence();
    }

    fn mem_usage(&self) -> usize {
        std::mem::size_of::<Self>() + self.items.iter().map(|i| i.capacity() + 24).sum::<usize>()
    }

    fn free_effort(&self) -> usize {
        self.items.len().max(1)
    }

    fn samples() -> Vec<Self> {
        vec![
            Probe { items: vec![], score: 0.0 },
            Probe {
                items: vec![b"a".to_vec(), b"12345".to_vec(), b"x".repeat(300)],
                score: -1.5,
            },
        ]
    }
}
