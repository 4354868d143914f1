//! JSON Schema records: the payload is the JSON text itself (UTF-8). Produce validates each
//! value against the schema (the `jsonschema` crate; references to other subjects resolved)
//! before anything is sent.

use std::collections::HashMap;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

use super::PathError;

/// A compiled JSON Schema.
pub struct Schema {
    validator: Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("json_schema::Schema")
    }
}

/// The schemas of the references, by the name the schema's `$ref`s use.
struct References(HashMap<String, Value>);

impl Retrieve for References {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str();
        let path = uri.path().as_str();
        self.0
            .iter()
            .find(|(name, _)| {
                wanted == name.as_str()
                    || path == name.as_str()
                    || path.strip_prefix('/') == Some(name.as_str())
                    || path.ends_with(&format!("/{name}"))
            })
            .map(|(_, schema)| schema.clone())
            .ok_or_else(|| format!("'{wanted}' is not among the schema's references").into())
    }
}

impl Schema {
    /// Compiles `text`; `references` are the referenced schemas by the name `$ref` uses.
    pub fn compile(text: &str, references: HashMap<String, String>) -> Result<Schema, String> {
        let schema: Value =
            serde_json::from_str(text).map_err(|e| format!("the schema is not JSON: {e}"))?;
        let mut parsed = HashMap::new();
        for (name, text) in references {
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| format!("the referenced schema '{name}' is not JSON: {e}"))?;
            parsed.insert(name, value);
        }
        let validator = jsonschema::options()
            .with_retriever(References(parsed))
            .build(&schema)
            .map_err(|e| e.to_string())?;
        Ok(Schema { validator })
    }

    /// Checks `value`: the first violation with the path of the value that breaks it.
    pub fn validate(&self, value: &Value) -> Result<(), PathError> {
        self.validator.validate(value).map_err(|e| {
            let pointer = e.instance_path().to_string();
            PathError::at_pointer(&pointer, e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_with_references() {
        let address =
            r#"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#;
        let schema = Schema::compile(
            r#"{"type":"object","properties":{"name":{"type":"string"},"home":{"$ref":"address.json"}},"required":["name"]}"#,
            HashMap::from([("address.json".to_string(), address.to_string())]),
        )
        .unwrap();
        schema
            .validate(&serde_json::json!({"name": "a", "home": {"city": "b"}}))
            .unwrap();
        let err = schema
            .validate(&serde_json::json!({"name": "a", "home": {"city": 5}}))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "at $.home.city: 5 is not of type \"string\""
        );
        let err = schema.validate(&serde_json::json!({})).unwrap_err();
        assert!(
            err.to_string().contains("\"name\" is a required property"),
            "{err}"
        );
    }
}
