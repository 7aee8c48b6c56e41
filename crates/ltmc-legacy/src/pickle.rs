//! A reader of exactly one pickle form: the earliest LTMC's vector file, a
//! pickled Python list of numpy float32 arrays (each 1-D, or 1×d), as
//! `pickle.dump([np.float32 array, ...], f)` writes it with protocol 2 to 5
//! (in-band buffers). The seed does not say which pickle the first version
//! wrote; this is our reading of "a pickled list of float32 vectors".
//!
//! A small stack machine over the opcodes that form needs, building plain
//! values, then a check that the values are that form. Not a general
//! unpickler: nothing is ever called or imported, unknown opcodes are an
//! error, and every length is bounds-checked (a corrupt file is a
//! [`ParseError`], never a panic). The `serde-pickle` crate was not used: it
//! cannot rebuild numpy arrays (`_reconstruct` + `BUILD` state).

use crate::index::{IndexFormat, LegacyIndex, ParseError, Reader, f32s};
use std::collections::HashMap;

const FORMAT: &str = "pickle";
/// Nesting deeper than this is not our form (and would risk the stack).
const MAX_STACK: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq)]
enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Global(String, String),
    /// `callable(*args)`, never called.
    Reduce(Box<Value>, Box<Value>),
    /// `obj.__setstate__(state)`, never applied.
    Build(Box<Value>, Box<Value>),
    Mark,
}

pub(crate) fn parse(bytes: &[u8]) -> Result<LegacyIndex, ParseError> {
    let value = run(bytes)?;
    let Value::List(items) = value else {
        return Err(ParseError::new(
            FORMAT,
            0,
            "the pickle is not a list of vectors",
        ));
    };
    let mut dimension = None;
    let mut vectors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let row = array(item).map_err(|m| ParseError::new(FORMAT, 0, format!("item {i}: {m}")))?;
        match dimension {
            None if row.is_empty() => {
                return Err(ParseError::new(FORMAT, 0, format!("item {i} is empty")));
            }
            None => dimension = Some(row.len()),
            Some(d) if d != row.len() => {
                return Err(ParseError::new(
                    FORMAT,
                    0,
                    format!("item {i} has {} dimensions, the first had {d}", row.len()),
                ));
            }
            Some(_) => {}
        }
        vectors.extend(row);
    }
    Ok(LegacyIndex {
        format: IndexFormat::Pickle,
        dimension: dimension.unwrap_or(0),
        vectors,
        ids: (0..items.len() as i64).collect(),
    })
}

/// A numpy float32 array's values, from either numpy pickling
/// (`_reconstruct` + BUILD state, or protocol 5's `_frombuffer`).
fn array(value: &Value) -> Result<Vec<f32>, String> {
    match value {
        Value::Build(obj, state) => {
            let Value::Reduce(callable, _) = obj.as_ref() else {
                return Err("not a numpy array".into());
            };
            expect_global(callable, "_reconstruct")?;
            let Value::Tuple(state) = state.as_ref() else {
                return Err("array state is not a tuple".into());
            };
            let [_version, shape, dtype, fortran, data] = state.as_slice() else {
                return Err(format!("array state has {} fields, not 5", state.len()));
            };
            if *fortran == Value::Bool(true) {
                return Err("Fortran-ordered arrays are not supported".into());
            }
            values(shape, dtype, data)
        }
        Value::Reduce(callable, args) => {
            expect_global(callable, "_frombuffer")?;
            let Value::Tuple(args) = args.as_ref() else {
                return Err("_frombuffer arguments are not a tuple".into());
            };
            let [data, dtype, shape, _order] = args.as_slice() else {
                return Err("_frombuffer takes 4 arguments".into());
            };
            values(shape, dtype, data)
        }
        _ => Err("not a numpy array".into()),
    }
}

fn expect_global(value: &Value, name: &str) -> Result<(), String> {
    match value {
        Value::Global(module, n) if n == name && module.starts_with("numpy") => Ok(()),
        other => Err(format!("expected numpy {name}, found {other:?}")),
    }
}

fn values(shape: &Value, dtype: &Value, data: &Value) -> Result<Vec<f32>, String> {
    check_dtype(dtype)?;
    let Value::Tuple(dims) = shape else {
        return Err("shape is not a tuple".into());
    };
    let len = match dims.as_slice() {
        [Value::Int(d)] | [Value::Int(1), Value::Int(d)] => {
            usize::try_from(*d).map_err(|_| format!("negative dimension {d}"))?
        }
        _ => return Err(format!("shape {dims:?} is not one vector")),
    };
    let Value::Bytes(data) = data else {
        return Err("array data is not bytes".into());
    };
    if Some(data.len()) != len.checked_mul(4) {
        return Err(format!("{} bytes of data for {len} float32s", data.len()));
    }
    Ok(f32s(data))
}

fn check_dtype(dtype: &Value) -> Result<(), String> {
    let (reduce, state) = match dtype {
        Value::Build(obj, state) => (obj.as_ref(), Some(state.as_ref())),
        other => (other, None),
    };
    let Value::Reduce(callable, args) = reduce else {
        return Err("dtype is not a numpy dtype".into());
    };
    expect_global(callable, "dtype")?;
    match args.as_ref() {
        Value::Tuple(a) if a.first() == Some(&Value::Str("f4".into())) => {}
        other => return Err(format!("dtype {other:?} is not float32")),
    }
    if let Some(Value::Tuple(s)) = state
        && let Some(Value::Str(order)) = s.get(1)
        && order == ">"
    {
        return Err("big-endian float32 is not supported".into());
    }
    Ok(())
}

fn run(bytes: &[u8]) -> Result<Value, ParseError> {
    let mut r = Reader::new(bytes, FORMAT);
    let mut stack: Vec<Value> = Vec::new();
    let mut memo: HashMap<u64, Value> = HashMap::new();
    loop {
        let at = r.pos;
        let op = r.u8()?;
        let err = |m: String| ParseError::new(FORMAT, at, m);
        match op {
            0x80 => {
                let proto = r.u8()?;
                if !(2..=5).contains(&proto) {
                    return Err(err(format!("pickle protocol {proto} is not supported")));
                }
            }
            0x95 => {
                r.u64()?; // FRAME: a length hint only
            }
            b'.' => {
                let top = stack
                    .pop()
                    .ok_or_else(|| err("STOP on an empty stack".into()))?;
                if !r.at_end() {
                    return Err(r.error("trailing bytes after STOP"));
                }
                return Ok(top);
            }
            b']' => stack.push(Value::List(Vec::new())),
            b')' => stack.push(Value::Tuple(Vec::new())),
            b'(' => stack.push(Value::Mark),
            b'N' => stack.push(Value::None),
            0x88 => stack.push(Value::Bool(true)),
            0x89 => stack.push(Value::Bool(false)),
            b'K' => stack.push(Value::Int(i64::from(r.u8()?))),
            b'M' => stack.push(Value::Int(i64::from(r.u16()?))),
            b'J' => stack.push(Value::Int(i64::from(r.i32()?))),
            0x8a => {
                let n = usize::from(r.u8()?);
                if n > 8 {
                    return Err(err(format!("LONG1 of {n} bytes is too large")));
                }
                let b = r.take(n)?;
                let mut buf = [if b.last().is_some_and(|x| x & 0x80 != 0) {
                    0xff
                } else {
                    0
                }; 8];
                buf[..n].copy_from_slice(b);
                stack.push(Value::Int(i64::from_le_bytes(buf)));
            }
            b'G' => stack.push(Value::Float(f64::from_be_bytes(r.array()?))),
            0x8c => {
                let n = usize::from(r.u8()?);
                stack.push(Value::Str(text(&mut r, n)?));
            }
            b'X' => {
                let n = r.u32()?;
                let n = r.count(u64::from(n), 1)?;
                stack.push(Value::Str(text(&mut r, n)?));
            }
            0x8d => {
                let n = r.u64()?;
                let n = r.count(n, 1)?;
                stack.push(Value::Str(text(&mut r, n)?));
            }
            b'C' => {
                let n = usize::from(r.u8()?);
                stack.push(Value::Bytes(r.take(n)?.to_vec()));
            }
            b'B' => {
                let n = r.u32()?;
                let n = r.count(u64::from(n), 1)?;
                stack.push(Value::Bytes(r.take(n)?.to_vec()));
            }
            0x8e | 0x96 => {
                let n = r.u64()?;
                let n = r.count(n, 1)?;
                stack.push(Value::Bytes(r.take(n)?.to_vec()));
            }
            b'c' => {
                let module = line(&mut r)?;
                let name = line(&mut r)?;
                stack.push(Value::Global(module, name));
            }
            0x93 => {
                let name = pop(&mut stack, at)?;
                let module = pop(&mut stack, at)?;
                match (module, name) {
                    (Value::Str(m), Value::Str(n)) => stack.push(Value::Global(m, n)),
                    _ => return Err(err("STACK_GLOBAL needs two strings".into())),
                }
            }
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                if stack.len() < n {
                    return Err(err("TUPLE on a short stack".into()));
                }
                let items = stack.split_off(stack.len() - n);
                stack.push(Value::Tuple(items));
            }
            b't' => {
                let items = since_mark(&mut stack, at)?;
                stack.push(Value::Tuple(items));
            }
            b'a' => {
                let item = pop(&mut stack, at)?;
                match stack.last_mut() {
                    Some(Value::List(list)) => list.push(item),
                    _ => return Err(err("APPEND to something not a list".into())),
                }
            }
            b'e' => {
                let items = since_mark(&mut stack, at)?;
                match stack.last_mut() {
                    Some(Value::List(list)) => list.extend(items),
                    _ => return Err(err("APPENDS to something not a list".into())),
                }
            }
            b'R' => {
                let args = pop(&mut stack, at)?;
                let callable = pop(&mut stack, at)?;
                stack.push(Value::Reduce(Box::new(callable), Box::new(args)));
            }
            b'b' => {
                let state = pop(&mut stack, at)?;
                let obj = pop(&mut stack, at)?;
                stack.push(Value::Build(Box::new(obj), Box::new(state)));
            }
            0x94 => {
                let top = stack
                    .last()
                    .ok_or_else(|| err("MEMOIZE on an empty stack".into()))?;
                memo.insert(memo.len() as u64, top.clone());
            }
            b'q' | b'r' => {
                let key = if op == b'q' {
                    u64::from(r.u8()?)
                } else {
                    u64::from(r.u32()?)
                };
                let top = stack
                    .last()
                    .ok_or_else(|| err("PUT on an empty stack".into()))?;
                memo.insert(key, top.clone());
            }
            b'h' | b'j' => {
                let key = if op == b'h' {
                    u64::from(r.u8()?)
                } else {
                    u64::from(r.u32()?)
                };
                let value = memo
                    .get(&key)
                    .ok_or_else(|| err(format!("GET of unknown memo {key}")))?;
                stack.push(value.clone());
            }
            other => {
                return Err(err(format!(
                    "opcode 0x{other:02x} is not part of a pickled list of numpy arrays"
                )));
            }
        }
        if stack.len() > MAX_STACK {
            return Err(ParseError::new(FORMAT, at, "the pickle nests too deeply"));
        }
    }
}

fn text(r: &mut Reader<'_>, n: usize) -> Result<String, ParseError> {
    let at = r.pos;
    let bytes = r.take(n)?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ParseError::new(FORMAT, at, "a string is not UTF-8"))
}

fn line(r: &mut Reader<'_>) -> Result<String, ParseError> {
    let mut out = Vec::new();
    loop {
        match r.u8()? {
            b'\n' => break,
            b => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| r.error("a global name is not UTF-8"))
}

fn pop(stack: &mut Vec<Value>, at: usize) -> Result<Value, ParseError> {
    match stack.pop() {
        Some(Value::Mark) | None => Err(ParseError::new(FORMAT, at, "stack underflow")),
        Some(v) => Ok(v),
    }
}

fn since_mark(stack: &mut Vec<Value>, at: usize) -> Result<Vec<Value>, ParseError> {
    let mark = stack
        .iter()
        .rposition(|v| *v == Value::Mark)
        .ok_or_else(|| ParseError::new(FORMAT, at, "no MARK"))?;
    let items = stack.split_off(mark + 1);
    stack.pop();
    Ok(items)
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)] // test inputs are short
mod tests {
    use super::*;

    /// `pickle.dumps([np.array([1.0, 2.0], dtype=np.float32)], protocol=4)`
    /// as numpy 2 writes it (recorded with pickletools).
    fn one_array(data: &[f32]) -> Vec<u8> {
        let mut p = vec![0x80, 4, b']', 0x94, b'('];
        for s in ["numpy._core.multiarray", "_reconstruct"] {
            p.push(0x8c);
            p.push(s.len() as u8);
            p.extend(s.as_bytes());
        }
        p.push(0x93);
        for s in ["numpy", "ndarray"] {
            p.push(0x8c);
            p.push(s.len() as u8);
            p.extend(s.as_bytes());
        }
        p.push(0x93);
        p.extend([
            b'K', 0, 0x85, b'C', 1, b'b', 0x87, b'R', b'(', b'K', 1, b'K',
        ]);
        p.push(data.len() as u8);
        p.push(0x85);
        for s in ["numpy", "dtype"] {
            p.push(0x8c);
            p.push(s.len() as u8);
            p.extend(s.as_bytes());
        }
        p.push(0x93);
        p.extend([0x8c, 2, b'f', b'4', 0x89, 0x88, 0x87, b'R']);
        p.extend([b'(', b'K', 3, 0x8c, 1, b'<', b'N', b'N', b'N', b'J']);
        p.extend((-1i32).to_le_bytes());
        p.push(b'J');
        p.extend((-1i32).to_le_bytes());
        p.extend([b'K', 0, b't', b'b', 0x89, b'C', (data.len() * 4) as u8]);
        for x in data {
            p.extend(x.to_le_bytes());
        }
        p.extend([b't', b'b', b'e', b'.']);
        p
    }

    #[test]
    fn reads_a_list_of_numpy_float32_arrays() {
        let index = parse(&one_array(&[1.0, -2.5])).unwrap();
        assert_eq!(index.format, IndexFormat::Pickle);
        assert_eq!(index.dimension, 2);
        assert_eq!(index.vector(0), &[1.0, -2.5]);
        assert_eq!(index.ids, vec![0]);
    }

    #[test]
    fn every_truncation_is_an_error_never_a_panic() {
        let bytes = one_array(&[1.0, 2.0, 3.0]);
        for len in 0..bytes.len() {
            assert!(
                parse(&bytes[..len]).is_err(),
                "prefix of {len} bytes parsed"
            );
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = parse(&b); // any answer but a panic
        }
    }

    #[test]
    fn refuses_other_forms() {
        // pickle.dumps([1.0, 2.0], protocol=4): floats, not arrays.
        let floats = [
            0x80, 4, b']', b'(', b'G', 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, b'e', b'.',
        ];
        let err = parse(&floats).unwrap_err();
        assert!(err.message.contains("not a numpy array"), "{err:?}");
        let err = parse(&[0x80, 4, b'}', b'.']).unwrap_err();
        assert!(err.message.contains("opcode 0x7d"), "{err:?}");
    }
}
