//! The few ONNX protobuf messages ltmc writes, declared by hand as `prost` structs.
//!
//! Why by hand: the graph ltmc hands to ONNX Runtime is built in memory from the
//! model's safetensors (no fp32 ONNX export of the model is on PyPI, and exporting
//! one needs torch). Generating code from `onnx.proto` would need `protoc` at build
//! time, and the crates that ship generated ONNX types are unmaintained or pull in a
//! second protobuf runtime. Only the fields we set are declared; their numbers and
//! types are those of `onnx/onnx.proto` (proto2: repeated scalars unpacked), so any
//! ONNX reader parses what we write. Not a general ONNX library: nothing is read back.

// prost's derive generates the field accessors; the names follow onnx.proto.
#![allow(clippy::doc_markdown, clippy::struct_field_names)]

/// `TensorProto.DataType` values we use.
pub(crate) mod data_type {
    pub const FLOAT: i32 = 1;
    pub const INT8: i32 = 3;
    pub const INT32: i32 = 6;
}

/// `AttributeProto.AttributeType` values we use.
pub(crate) mod attribute_type {
    pub const FLOAT: i32 = 1;
    pub const INT: i32 = 2;
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ModelProto {
    #[prost(int64, optional, tag = "1")]
    pub ir_version: Option<i64>,
    #[prost(string, optional, tag = "2")]
    pub producer_name: Option<String>,
    #[prost(string, optional, tag = "3")]
    pub producer_version: Option<String>,
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct OperatorSetIdProto {
    #[prost(string, optional, tag = "1")]
    pub domain: Option<String>,
    #[prost(int64, optional, tag = "2")]
    pub version: Option<i64>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
    #[prost(string, optional, tag = "4")]
    pub op_type: Option<String>,
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
    #[prost(string, optional, tag = "7")]
    pub domain: Option<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct AttributeProto {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(float, optional, tag = "2")]
    pub f: Option<f32>,
    #[prost(int64, optional, tag = "3")]
    pub i: Option<i64>,
    #[prost(int64, repeated, packed = "false", tag = "8")]
    pub ints: Vec<i64>,
    #[prost(int32, optional, tag = "20")]
    pub r#type: Option<i32>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct TensorProto {
    #[prost(int64, repeated, packed = "false", tag = "1")]
    pub dims: Vec<i64>,
    #[prost(int32, optional, tag = "2")]
    pub data_type: Option<i32>,
    #[prost(string, optional, tag = "8")]
    pub name: Option<String>,
    #[prost(bytes = "vec", optional, tag = "9")]
    pub raw_data: Option<Vec<u8>>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ValueInfoProto {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<TypeProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct TypeProto {
    /// `TypeProto.tensor_type` (field 1 of the `value` oneof, the only one we use).
    #[prost(message, optional, tag = "1")]
    pub tensor_type: Option<TensorTypeProto>,
}

/// `TypeProto.Tensor`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct TensorTypeProto {
    #[prost(int32, optional, tag = "1")]
    pub elem_type: Option<i32>,
    #[prost(message, optional, tag = "2")]
    pub shape: Option<TensorShapeProto>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct TensorShapeProto {
    #[prost(message, repeated, tag = "1")]
    pub dim: Vec<Dimension>,
}

/// `TensorShapeProto.Dimension`: a fixed size or a named symbolic one.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Dimension {
    #[prost(int64, optional, tag = "1")]
    pub dim_value: Option<i64>,
    #[prost(string, optional, tag = "2")]
    pub dim_param: Option<String>,
}

impl AttributeProto {
    pub(crate) fn int(name: &str, value: i64) -> Self {
        Self {
            name: Some(name.to_owned()),
            i: Some(value),
            r#type: Some(attribute_type::INT),
            ..Self::default()
        }
    }

    pub(crate) fn float(name: &str, value: f32) -> Self {
        Self {
            name: Some(name.to_owned()),
            f: Some(value),
            r#type: Some(attribute_type::FLOAT),
            ..Self::default()
        }
    }
}

impl ValueInfoProto {
    /// A tensor of `elem_type` whose dimensions are named (symbolic) or fixed.
    pub(crate) fn tensor(name: &str, elem_type: i32, dims: &[Dim<'_>]) -> Self {
        let dim = dims
            .iter()
            .map(|d| match d {
                Dim::Fixed(n) => Dimension {
                    dim_value: Some(*n),
                    dim_param: None,
                },
                Dim::Named(s) => Dimension {
                    dim_value: None,
                    dim_param: Some((*s).to_owned()),
                },
            })
            .collect();
        Self {
            name: Some(name.to_owned()),
            r#type: Some(TypeProto {
                tensor_type: Some(TensorTypeProto {
                    elem_type: Some(elem_type),
                    shape: Some(TensorShapeProto { dim }),
                }),
            }),
        }
    }
}

/// One dimension of a graph input or output.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dim<'a> {
    Fixed(i64),
    Named(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn fields_are_written_with_the_onnx_numbers() {
        let tensor = TensorProto {
            dims: vec![2, 3],
            data_type: Some(data_type::FLOAT),
            name: Some("w".into()),
            raw_data: Some(vec![0; 4]),
        };
        let bytes = tensor.encode_to_vec();
        // dims (field 1, varint) unpacked: 0x08 2, 0x08 3; data_type (field 2): 0x10 1;
        // name (field 8, bytes): 0x42 1 'w'; raw_data (field 9, bytes): 0x4a 4 ...
        assert_eq!(
            bytes,
            [
                0x08, 2, 0x08, 3, 0x10, 1, 0x42, 1, b'w', 0x4a, 4, 0, 0, 0, 0
            ]
        );
        assert_eq!(TensorProto::decode(bytes.as_slice()).unwrap(), tensor);
    }
}
