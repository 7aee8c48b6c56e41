//! Builds the ONNX graph of a BERT encoder from its `model.safetensors` and
//! `config.json`, for ONNX Runtime to run.
//!
//! No fp32 ONNX export of all-MiniLM-L6-v2 is on PyPI and making one needs torch,
//! so ltmc writes the graph itself at load time (a few tens of milliseconds). It
//! uses ONNX Runtime's fused CPU kernels (domain `com.microsoft`) rather than
//! leaving their discovery to the graph optimiser: `EmbedLayerNormalization`,
//! `Attention` (Q, K and V in one matrix product), `SkipLayerNormalization`
//! (residual + bias + layer norm) and `BiasGelu` (exact erf GELU, as BERT uses).
//! The output is the last hidden state; pooling and normalisation happen in Rust.
//! Not here: running the graph (`onnx.rs`), tokenising, or any other architecture.

use std::path::Path;

use prost::Message;
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;

use super::proto::{
    Dim, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, ValueInfoProto,
    data_type,
};
use crate::EmbedError;
use crate::error;

/// Graph input and output names, shared with the code that feeds the session.
pub(crate) const INPUT_IDS: &str = "input_ids";
pub(crate) const TOKEN_TYPE_IDS: &str = "token_type_ids";
pub(crate) const ATTENTION_MASK: &str = "attention_mask";
pub(crate) const LAST_HIDDEN: &str = "last_hidden_state";

const MS_DOMAIN: &str = "com.microsoft";

/// The fields of a BERT `config.json` the graph needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BertShape {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    #[serde(default)]
    pub pad_token_id: usize,
}

fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}
fn default_act() -> String {
    "gelu".into()
}

impl BertShape {
    /// Reads and checks `config.json`: a shape ONNX Runtime would reject late, or a
    /// GELU variant the graph does not implement, is a corrupt model now.
    pub(crate) fn read(path: &Path) -> Result<Self, EmbedError> {
        let bytes = std::fs::read(path)
            .map_err(|e| error::corrupt(path, format!("cannot read it: {e}")))?;
        let shape: Self =
            serde_json::from_slice(&bytes).map_err(|e| error::corrupt(path, e.to_string()))?;
        if shape.hidden_size == 0
            || shape.num_attention_heads == 0
            || !shape.hidden_size.is_multiple_of(shape.num_attention_heads)
            || shape.max_position_embeddings < 2
            || shape.num_hidden_layers == 0
        {
            return Err(error::corrupt(
                path,
                format!(
                    "impossible shape: hidden_size {}, num_attention_heads {}, \
                     max_position_embeddings {}, num_hidden_layers {}",
                    shape.hidden_size,
                    shape.num_attention_heads,
                    shape.max_position_embeddings,
                    shape.num_hidden_layers
                ),
            ));
        }
        if shape.hidden_act != "gelu" {
            return Err(error::corrupt(
                path,
                format!(
                    "hidden_act {:?} is not supported (only \"gelu\")",
                    shape.hidden_act
                ),
            ));
        }
        Ok(shape)
    }
}

/// How the MatMul weights are stored in the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precision {
    /// fp32 weights: the same arithmetic as the reference, up to summation order.
    Fp32,
    /// int8 weights, one scale per output column (symmetric), activations
    /// quantised per batch at run time (`DynamicQuantizeMatMul`): about a quarter
    /// of the weight bytes and integer kernels, at a small cost in accuracy.
    Int8,
}

/// The serialised ONNX model of the encoder whose weights are in `weights_path`.
pub(crate) fn build(
    shape: &BertShape,
    weights_path: &Path,
    precision: Precision,
) -> Result<Vec<u8>, EmbedError> {
    let bytes = std::fs::read(weights_path)
        .map_err(|e| error::corrupt(weights_path, format!("cannot read it: {e}")))?;
    let tensors = SafeTensors::deserialize(&bytes)
        .map_err(|e| error::corrupt(weights_path, e.to_string()))?;
    let weights = Weights {
        tensors: &tensors,
        path: weights_path,
    };
    let model = encoder(shape, &weights, precision)?;
    Ok(model.encode_to_vec())
}

/// Named access to the safetensors file, with the shape checks that turn a wrong
/// file into a corrupt-model error instead of an ONNX Runtime failure.
struct Weights<'a> {
    tensors: &'a SafeTensors<'a>,
    path: &'a Path,
}

impl Weights<'_> {
    /// The f32 values of `name` (or `bert.<name>`, as some exports prefix), with
    /// their shape checked.
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let view = self
            .tensors
            .tensor(name)
            .or_else(|_| self.tensors.tensor(&format!("bert.{name}")))
            .map_err(|_| error::corrupt(self.path, format!("no tensor {name}")))?;
        if view.dtype() != Dtype::F32 || view.shape() != shape {
            return Err(error::corrupt(
                self.path,
                format!(
                    "{name} is {:?} {:?}, expected F32 {shape:?}",
                    view.dtype(),
                    view.shape()
                ),
            ));
        }
        Ok(view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// A torch `Linear` weight (`[out, in]`) transposed to `[in, out]` for MatMul.
    fn linear_t(&self, name: &str, out: usize, inp: usize) -> Result<Vec<f32>, EmbedError> {
        Ok(transpose(&self.get(name, &[out, inp])?, out, inp))
    }
}

/// `[rows, cols]` row-major to `[cols, rows]`.
fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0.0; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = m[r * cols + c];
        }
    }
    t
}

fn dims(d: &[usize]) -> Vec<i64> {
    d.iter()
        .map(|&n| i64::try_from(n).unwrap_or(i64::MAX))
        .collect()
}

fn f32_tensor(name: &str, shape: &[usize], values: &[f32]) -> TensorProto {
    let mut raw = Vec::with_capacity(values.len() * 4);
    for v in values {
        raw.extend_from_slice(&v.to_le_bytes());
    }
    TensorProto {
        dims: dims(shape),
        data_type: Some(data_type::FLOAT),
        name: Some(name.to_owned()),
        raw_data: Some(raw),
    }
}

/// Nodes and initializers under construction.
#[derive(Default)]
struct Builder {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
}

impl Builder {
    fn node(
        &mut self,
        op: &str,
        domain: Option<&str>,
        inputs: &[&str],
        outputs: &[&str],
        attributes: Vec<super::proto::AttributeProto>,
    ) {
        let name = format!("{op}_{}", self.nodes.len());
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| (*s).to_owned()).collect(),
            output: outputs.iter().map(|s| (*s).to_owned()).collect(),
            name: Some(name),
            op_type: Some(op.to_owned()),
            attribute: attributes,
            domain: domain.map(str::to_owned),
        });
    }

    fn init(&mut self, name: &str, shape: &[usize], values: &[f32]) -> String {
        self.initializers.push(f32_tensor(name, shape, values));
        name.to_owned()
    }
}

// `h` (hidden size), `w` (weights), `b` (the graph), `l` and `p` (layer index and
// prefix) are used on nearly every line; long names would hide the structure.
#[allow(clippy::many_single_char_names)]
fn encoder(
    shape: &BertShape,
    w: &Weights<'_>,
    precision: Precision,
) -> Result<ModelProto, EmbedError> {
    use super::proto::AttributeProto as A;
    let h = shape.hidden_size;
    let ff = shape.intermediate_size;
    // ONNX attributes are f32; 1e-12 is representable and is what torch uses.
    #[allow(clippy::cast_possible_truncation)]
    let eps = shape.layer_norm_eps as f32;
    let mut b = Builder::default();

    let word = b.init(
        "word_embeddings",
        &[shape.vocab_size, h],
        &w.get("embeddings.word_embeddings.weight", &[shape.vocab_size, h])?,
    );
    let pos = b.init(
        "position_embeddings",
        &[shape.max_position_embeddings, h],
        &w.get(
            "embeddings.position_embeddings.weight",
            &[shape.max_position_embeddings, h],
        )?,
    );
    let seg = b.init(
        "token_type_embeddings",
        &[shape.type_vocab_size, h],
        &w.get(
            "embeddings.token_type_embeddings.weight",
            &[shape.type_vocab_size, h],
        )?,
    );
    let gamma = b.init(
        "emb_ln_gamma",
        &[h],
        &w.get("embeddings.LayerNorm.weight", &[h])?,
    );
    let beta = b.init(
        "emb_ln_beta",
        &[h],
        &w.get("embeddings.LayerNorm.bias", &[h])?,
    );
    b.node(
        "EmbedLayerNormalization",
        Some(MS_DOMAIN),
        &[INPUT_IDS, TOKEN_TYPE_IDS, &word, &pos, &seg, &gamma, &beta],
        &["hidden_0", "emb_mask_index"],
        vec![A::float("epsilon", eps)],
    );

    let heads = i64::try_from(shape.num_attention_heads).unwrap_or(1);
    for l in 0..shape.num_hidden_layers {
        let p = format!("encoder.layer.{l}");
        let x = format!("hidden_{l}");
        // Q, K and V side by side: [hidden, 3 * hidden], as `Attention` wants.
        let mut qkv_w = vec![0.0f32; h * 3 * h];
        let mut qkv_b = Vec::with_capacity(3 * h);
        for (part, name) in ["query", "key", "value"].iter().enumerate() {
            let wt = w.linear_t(&format!("{p}.attention.self.{name}.weight"), h, h)?;
            for r in 0..h {
                qkv_w[r * 3 * h + part * h..r * 3 * h + (part + 1) * h]
                    .copy_from_slice(&wt[r * h..(r + 1) * h]);
            }
            qkv_b.extend(w.get(&format!("{p}.attention.self.{name}.bias"), &[h])?);
        }
        let qkv_w = b.init(&format!("l{l}_qkv_w"), &[h, 3 * h], &qkv_w);
        let qkv_b = b.init(&format!("l{l}_qkv_b"), &[3 * h], &qkv_b);
        let attn = format!("l{l}_attn");
        b.node(
            "Attention",
            Some(MS_DOMAIN),
            &[&x, &qkv_w, &qkv_b, ATTENTION_MASK],
            &[&attn],
            vec![A::int("num_heads", heads)],
        );

        let attn_out = linear(
            &mut b,
            w,
            precision,
            &attn,
            &format!("{p}.attention.output.dense"),
            h,
            h,
            l,
            "ao",
        )?;
        let attn_bias = b.init(
            &format!("l{l}_ao_b"),
            &[h],
            &w.get(&format!("{p}.attention.output.dense.bias"), &[h])?,
        );
        let g1 = b.init(
            &format!("l{l}_ln1_g"),
            &[h],
            &w.get(&format!("{p}.attention.output.LayerNorm.weight"), &[h])?,
        );
        let b1 = b.init(
            &format!("l{l}_ln1_b"),
            &[h],
            &w.get(&format!("{p}.attention.output.LayerNorm.bias"), &[h])?,
        );
        let h1 = format!("l{l}_h1");
        b.node(
            "SkipLayerNormalization",
            Some(MS_DOMAIN),
            &[&attn_out, &x, &g1, &b1, &attn_bias],
            &[&h1],
            vec![A::float("epsilon", eps)],
        );

        let up = linear(
            &mut b,
            w,
            precision,
            &h1,
            &format!("{p}.intermediate.dense"),
            ff,
            h,
            l,
            "up",
        )?;
        let up_bias = b.init(
            &format!("l{l}_up_b"),
            &[ff],
            &w.get(&format!("{p}.intermediate.dense.bias"), &[ff])?,
        );
        let act = format!("l{l}_gelu");
        b.node(
            "BiasGelu",
            Some(MS_DOMAIN),
            &[&up, &up_bias],
            &[&act],
            vec![],
        );

        let down = linear(
            &mut b,
            w,
            precision,
            &act,
            &format!("{p}.output.dense"),
            h,
            ff,
            l,
            "down",
        )?;
        let down_bias = b.init(
            &format!("l{l}_down_b"),
            &[h],
            &w.get(&format!("{p}.output.dense.bias"), &[h])?,
        );
        let g2 = b.init(
            &format!("l{l}_ln2_g"),
            &[h],
            &w.get(&format!("{p}.output.LayerNorm.weight"), &[h])?,
        );
        let b2 = b.init(
            &format!("l{l}_ln2_b"),
            &[h],
            &w.get(&format!("{p}.output.LayerNorm.bias"), &[h])?,
        );
        let next = if l + 1 == shape.num_hidden_layers {
            LAST_HIDDEN.to_owned()
        } else {
            format!("hidden_{}", l + 1)
        };
        b.node(
            "SkipLayerNormalization",
            Some(MS_DOMAIN),
            &[&down, &h1, &g2, &b2, &down_bias],
            &[&next],
            vec![A::float("epsilon", eps)],
        );
    }

    let batch_seq = [Dim::Named("batch"), Dim::Named("sequence")];
    let graph = GraphProto {
        node: b.nodes,
        name: Some("ltmc_bert_encoder".into()),
        initializer: b.initializers,
        input: [INPUT_IDS, TOKEN_TYPE_IDS, ATTENTION_MASK]
            .iter()
            .map(|n| ValueInfoProto::tensor(n, data_type::INT32, &batch_seq))
            .collect(),
        output: vec![ValueInfoProto::tensor(
            LAST_HIDDEN,
            data_type::FLOAT,
            &[
                Dim::Named("batch"),
                Dim::Named("sequence"),
                Dim::Fixed(i64::try_from(h).unwrap_or(i64::MAX)),
            ],
        )],
    };
    Ok(ModelProto {
        ir_version: Some(8),
        producer_name: Some("ltmc".into()),
        producer_version: Some(env!("CARGO_PKG_VERSION").into()),
        graph: Some(graph),
        opset_import: vec![
            OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(17),
            },
            OperatorSetIdProto {
                domain: Some(MS_DOMAIN.into()),
                version: Some(1),
            },
        ],
    })
}

/// `x @ W^T` for the torch `Linear` called `name` (`[out, inp]`); returns the
/// output's name. The bias is left to the fused node that follows.
#[allow(clippy::too_many_arguments, clippy::many_single_char_names)]
fn linear(
    b: &mut Builder,
    w: &Weights<'_>,
    precision: Precision,
    x: &str,
    name: &str,
    out: usize,
    inp: usize,
    layer: usize,
    tag: &str,
) -> Result<String, EmbedError> {
    let weight = w.linear_t(&format!("{name}.weight"), out, inp)?;
    let y = format!("l{layer}_{tag}");
    match precision {
        Precision::Fp32 => {
            let wn = b.init(&format!("l{layer}_{tag}_w"), &[inp, out], &weight);
            b.node("MatMul", None, &[x, &wn], &[&y], vec![]);
        }
        Precision::Int8 => {
            let (q, scales) = quantise_columns(&weight, inp, out);
            let wn = format!("l{layer}_{tag}_wq");
            b.initializers.push(TensorProto {
                dims: dims(&[inp, out]),
                data_type: Some(data_type::INT8),
                name: Some(wn.clone()),
                raw_data: Some(q.iter().map(|&v| v.to_le_bytes()[0]).collect()),
            });
            let sn = b.init(&format!("l{layer}_{tag}_ws"), &[out], &scales);
            b.node(
                "DynamicQuantizeMatMul",
                Some(MS_DOMAIN),
                &[x, &wn, &sn],
                &[&y],
                vec![],
            );
        }
    }
    Ok(y)
}

/// Symmetric int8 per column of `w` (`[rows, cols]`): `w ≈ q * scale[col]`.
/// The range is ±63, not ±127: on CPUs without VNNI, ONNX Runtime multiplies
/// u8 x s8 pairs with an instruction whose 16-bit sums saturate at full range
/// (its quantisation tool's `reduce_range` for the same reason).
fn quantise_columns(w: &[f32], rows: usize, cols: usize) -> (Vec<i8>, Vec<f32>) {
    const LIMIT: f32 = 63.0;
    let mut scales = vec![0.0f32; cols];
    for row in w.chunks_exact(cols) {
        for (s, v) in scales.iter_mut().zip(row) {
            *s = s.max(v.abs());
        }
    }
    for s in &mut scales {
        *s = if *s > 0.0 { *s / LIMIT } else { 1.0 };
    }
    let mut q = Vec::with_capacity(rows * cols);
    for row in w.chunks_exact(cols) {
        for (v, s) in row.iter().zip(&scales) {
            // In range by construction: |v / s| <= LIMIT.
            #[allow(clippy::cast_possible_truncation)]
            q.push((v / s).round().clamp(-LIMIT, LIMIT) as i8);
        }
    }
    (q, scales)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_swaps_rows_and_columns() {
        // [[1, 2, 3], [4, 5, 6]] -> [[1, 4], [2, 5], [3, 6]]
        assert_eq!(
            transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3),
            [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }

    #[test]
    fn quantised_columns_round_trip_within_half_a_step() {
        let w = [0.5, -2.0, 0.25, 1.0, 0.0, 0.0];
        let (q, s) = quantise_columns(&w, 3, 2);
        assert_eq!(q[1], -63);
        for (i, v) in w.iter().enumerate() {
            let back = f32::from(q[i]) * s[i % 2];
            assert!(
                (back - v).abs() <= s[i % 2] / 2.0 + 1e-7,
                "{i}: {back} vs {v}"
            );
        }
    }

    #[test]
    fn a_config_with_another_activation_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let config = r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1,
            "num_attention_heads": 2, "intermediate_size": 16,
            "max_position_embeddings": 16, "hidden_act": "relu"}"#;
        std::fs::write(&path, config).unwrap();
        let err = BertShape::read(&path).unwrap_err();
        assert!(err.to_string().contains("relu"), "{err}");
        std::fs::write(&path, config.replace("relu", "gelu")).unwrap();
        assert_eq!(BertShape::read(&path).unwrap().hidden_size, 8);
    }
}
