//! `write_tiny_bert`: writes a tiny BERT model folder (random weights from a fixed
//! seed) that `BertEmbedder::load` reads exactly as it reads all-MiniLM-L6-v2.
//!
//! Same file names, same tensor names, same tokenizer pipeline (BertNormalizer,
//! BertPreTokenizer, WordPiece, [CLS] … [SEP]); only the sizes are small: hidden 32,
//! 2 layers, 2 heads, a vocabulary of a few hundred pieces. Its vectors mean nothing.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use candle_core::{Device, Tensor};
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{AddedToken, Tokenizer};

use crate::EmbedError;

/// The id `BertEmbedder::load` reports for a folder made by [`write_tiny_bert`].
pub const TINY_BERT_MODEL_ID: &str = "ltmc-test/tiny-bert";

const HIDDEN: usize = 32;
const LAYERS: usize = 2;
const HEADS: usize = 2;
const INTERMEDIATE: usize = 64;
/// As large as the real model's, so truncation at 256 tokens is exercised for real.
const MAX_POSITIONS: usize = 512;
const SEED: u64 = 0x5eed_0f7e;

const SPECIALS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// Common words of the domain, so test sentences tokenise into whole words.
const WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "not",
    "is",
    "are",
    "was",
    "to",
    "of",
    "in",
    "on",
    "for",
    "with",
    "by",
    "it",
    "this",
    "that",
    "from",
    "as",
    "at",
    "be",
    "we",
    "you",
    "i",
    "error",
    "fix",
    "bug",
    "test",
    "code",
    "memory",
    "database",
    "query",
    "index",
    "vector",
    "search",
    "file",
    "function",
    "return",
    "value",
    "string",
    "number",
    "list",
    "cache",
    "model",
    "load",
    "save",
    "store",
    "read",
    "write",
    "user",
    "server",
    "client",
    "request",
    "response",
    "time",
    "data",
    "table",
    "row",
    "column",
    "key",
    "pattern",
    "rule",
    "debt",
    "layer",
    "chunk",
    "text",
    "embed",
    "token",
    "hello",
    "world",
    "rust",
    "python",
    "fn",
    "let",
    "def",
    "class",
    "import",
    "new",
    "old",
    "fast",
    "slow",
    "leak",
    "pool",
    "connection",
    "timeout",
    "retry",
    "config",
];

/// Writes `config.json`, `vocab.txt`, `tokenizer.json`, `model.safetensors` and an ltmc
/// manifest naming the model [`TINY_BERT_MODEL_ID`] into `dir` (created if needed).
pub fn write_tiny_bert(dir: &Path) -> Result<(), EmbedError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        EmbedError::Invalid(format!(
            "cannot write the tiny test model to {}: {what}: {e}",
            dir.display()
        ))
    };
    fs::create_dir_all(dir).map_err(|e| fail("create dir", &e))?;

    let vocab = vocabulary();
    let vocab_path = dir.join("vocab.txt");
    fs::write(&vocab_path, vocab.join("\n") + "\n").map_err(|e| fail("vocab.txt", &e))?;
    let tokenizer = tokenizer(&vocab_path).map_err(|e| fail("tokenizer", &e))?;
    tokenizer
        .save(dir.join("tokenizer.json"), false)
        .map_err(|e| fail("tokenizer.json", &e))?;

    let config = serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab.len(),
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INTERMEDIATE,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": MAX_POSITIONS,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    });
    let config = serde_json::to_vec_pretty(&config).map_err(|e| fail("config.json", &e))?;
    fs::write(dir.join("config.json"), config).map_err(|e| fail("config.json", &e))?;

    let tensors = weights(vocab.len()).map_err(|e| fail("weights", &e))?;
    candle_core::safetensors::save(&tensors, dir.join("model.safetensors"))
        .map_err(|e| fail("model.safetensors", &e))?;

    crate::provision::write_model_id(dir, TINY_BERT_MODEL_ID).map_err(|e| fail("manifest", &e))?;
    Ok(())
}

/// Specials first (so [PAD] is 0, as in the real vocabulary), then whole words, then
/// single characters and `##` continuations so that any ASCII word tokenises.
fn vocabulary() -> Vec<String> {
    let mut vocab: Vec<String> = SPECIALS.iter().map(|s| (*s).to_owned()).collect();
    vocab.extend(WORDS.iter().map(|w| (*w).to_owned()));
    let singles = ('a'..='z').chain('0'..='9');
    let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".chars();
    for c in singles.clone().chain(punctuation) {
        let piece = c.to_string();
        if !vocab.contains(&piece) {
            vocab.push(piece);
        }
    }
    vocab.extend(singles.map(|c| format!("##{c}")));
    vocab
}

fn tokenizer(vocab_path: &Path) -> tokenizers::Result<Tokenizer> {
    let vocab_path = vocab_path
        .to_str()
        .ok_or("the model folder's path is not UTF-8")?;
    let model = WordPiece::from_file(vocab_path)
        .unk_token("[UNK]".to_owned())
        .build()?;
    let mut tokenizer = Tokenizer::new(model);
    tokenizer.with_normalizer(Some(BertNormalizer::new(true, true, None, true)))?;
    tokenizer.with_pre_tokenizer(Some(BertPreTokenizer));
    tokenizer.with_post_processor(Some(BertProcessing::new(
        ("[SEP]".to_owned(), 3),
        ("[CLS]".to_owned(), 2),
    )));
    tokenizer.with_decoder(Some(WordPieceDecoder::default()));
    tokenizer.add_special_tokens(SPECIALS.iter().map(|s| AddedToken::from(*s, true)))?;
    Ok(tokenizer)
}

/// Every tensor the real checkpoint has, under the real names, with seeded values.
fn weights(vocab_size: usize) -> candle_core::Result<HashMap<String, Tensor>> {
    let mut rng = Rng(SEED);
    let mut t = HashMap::new();
    let mut dense = |t: &mut HashMap<String, Tensor>, name: &str, out: usize, inp: usize| {
        t.insert(format!("{name}.weight"), rng.tensor(&[out, inp], 0.0, 0.2)?);
        t.insert(format!("{name}.bias"), rng.tensor(&[out], 0.0, 0.02)?);
        candle_core::Result::Ok(())
    };
    dense(&mut t, "pooler.dense", HIDDEN, HIDDEN)?;
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        for part in ["query", "key", "value"] {
            dense(
                &mut t,
                &format!("{p}.attention.self.{part}"),
                HIDDEN,
                HIDDEN,
            )?;
        }
        dense(
            &mut t,
            &format!("{p}.attention.output.dense"),
            HIDDEN,
            HIDDEN,
        )?;
        dense(
            &mut t,
            &format!("{p}.intermediate.dense"),
            INTERMEDIATE,
            HIDDEN,
        )?;
        dense(&mut t, &format!("{p}.output.dense"), HIDDEN, INTERMEDIATE)?;
    }
    let mut rng = Rng(SEED ^ 1);
    let mut norm = |t: &mut HashMap<String, Tensor>, name: String| {
        t.insert(format!("{name}.weight"), rng.tensor(&[HIDDEN], 1.0, 0.05)?);
        t.insert(format!("{name}.bias"), rng.tensor(&[HIDDEN], 0.0, 0.05)?);
        candle_core::Result::Ok(())
    };
    norm(&mut t, "embeddings.LayerNorm".to_owned())?;
    for l in 0..LAYERS {
        norm(
            &mut t,
            format!("encoder.layer.{l}.attention.output.LayerNorm"),
        )?;
        norm(&mut t, format!("encoder.layer.{l}.output.LayerNorm"))?;
    }
    let mut rng = Rng(SEED ^ 2);
    for (name, rows) in [
        ("word_embeddings", vocab_size),
        ("position_embeddings", MAX_POSITIONS),
        ("token_type_embeddings", 2),
    ] {
        t.insert(
            format!("embeddings.{name}.weight"),
            rng.tensor(&[rows, HIDDEN], 0.0, 1.0)?,
        );
    }
    let positions: Vec<i64> = (0..MAX_POSITIONS as i64).collect();
    t.insert(
        "embeddings.position_ids".to_owned(),
        Tensor::from_vec(positions, (1, MAX_POSITIONS), &Device::Cpu)?,
    );
    Ok(t)
}

/// xorshift64*: enough randomness for weights, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next_unit(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        // 24 random bits scaled to [-1, 1).
        (bits as f32 / (1u64 << 23) as f32) - 1.0
    }

    fn tensor(&mut self, shape: &[usize], centre: f32, spread: f32) -> candle_core::Result<Tensor> {
        let n = shape.iter().product();
        let values: Vec<f32> = (0..n).map(|_| centre + spread * self.next_unit()).collect();
        Tensor::from_vec(values, shape, &Device::Cpu)
    }
}
