//! The Confluent wire format: how a key or value names the schema it was written with.
//!
//! - Framed: magic byte `0`, the schema's 4-byte big-endian global id, then the body. A
//!   Protobuf body starts with the message-index array (which message of the schema's file):
//!   a count and that many indexes, each a zig-zag varint; the array `[0]` (the first message)
//!   is written as the single byte `0x00`.
//! - Confluent 8's header form: a `__key_schema_id` / `__value_schema_id` header holding `0x01`
//!   and the schema's 16-byte GUID; the payload then has no prefix (Protobuf bodies still
//!   start with the message-index array).

/// The first byte of a framed payload.
pub const MAGIC: u8 = 0;
/// The first byte of a schema-id header that holds a GUID.
pub const GUID_MAGIC: u8 = 1;
/// The header naming the key's schema (Confluent 8's header form).
pub const KEY_SCHEMA_HEADER: &str = "__key_schema_id";
/// The header naming the value's schema.
pub const VALUE_SCHEMA_HEADER: &str = "__value_schema_id";

/// A payload framed with a schema id: the id and the body after the prefix.
pub fn split_framed(payload: &[u8]) -> Option<(u32, &[u8])> {
    match payload {
        [MAGIC, a, b, c, d, body @ ..] => Some((u32::from_be_bytes([*a, *b, *c, *d]), body)),
        _ => None,
    }
}

/// Appends the prefix for schema `id`.
pub fn write_prefix(id: u32, out: &mut Vec<u8>) {
    out.push(MAGIC);
    out.extend_from_slice(&id.to_be_bytes());
}

/// The GUID a schema-id header holds (`0x01` + 16 bytes), in its usual text form
/// (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case).
pub fn header_guid(value: &[u8]) -> Option<String> {
    let [GUID_MAGIC, guid @ ..] = value else {
        return None;
    };
    let guid: &[u8; 16] = guid.try_into().ok()?;
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    Some(format!(
        "{}-{}-{}-{}-{}",
        hex(&guid[0..4]),
        hex(&guid[4..6]),
        hex(&guid[6..8]),
        hex(&guid[8..10]),
        hex(&guid[10..16])
    ))
}

/// Reads a zig-zag varint (as Protobuf's sint32 and Avro's int/long are written).
pub fn read_zigzag(input: &mut &[u8]) -> Option<i64> {
    let raw = read_varint(input)?;
    Some(((raw >> 1) as i64) ^ -((raw & 1) as i64))
}

/// Reads an unsigned base-128 varint (at most 10 bytes).
pub fn read_varint(input: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for (i, byte) in input.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *input = &input[i + 1..];
            return Some(value);
        }
    }
    None
}

/// Appends `n` as a zig-zag varint.
pub fn write_zigzag(n: i64, out: &mut Vec<u8>) {
    let mut raw = ((n << 1) ^ (n >> 63)) as u64;
    while raw >= 0x80 {
        out.push((raw as u8) | 0x80);
        raw >>= 7;
    }
    out.push(raw as u8);
}

/// Reads the Protobuf message-index array at the start of a body; the rest of the body.
pub fn read_message_indexes(mut body: &[u8]) -> Option<(Vec<i32>, &[u8])> {
    let count = read_zigzag(&mut body)?;
    if count == 0 {
        // The shortcut for [0].
        return Some((vec![0], body));
    }
    if !(0..=100).contains(&count) {
        return None;
    }
    let mut indexes = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let index = read_zigzag(&mut body)?;
        indexes.push(i32::try_from(index).ok().filter(|i| *i >= 0)?);
    }
    Some((indexes, body))
}

/// Appends the message-index array (`[0]` as the single byte `0x00`).
pub fn write_message_indexes(indexes: &[i32], out: &mut Vec<u8>) {
    if indexes == [0] {
        out.push(0);
        return;
    }
    write_zigzag(indexes.len() as i64, out);
    for index in indexes {
        write_zigzag(i64::from(*index), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_and_join() {
        assert_eq!(
            split_framed(&[0, 0, 0, 1, 2, 9, 8]),
            Some((258, &[9u8, 8][..]))
        );
        assert_eq!(split_framed(&[0, 0, 0, 1]), None);
        assert_eq!(split_framed(&[1, 0, 0, 0, 1]), None);
        let mut out = Vec::new();
        write_prefix(258, &mut out);
        assert_eq!(out, [0, 0, 0, 1, 2]);
    }

    #[test]
    fn message_indexes_use_the_shortcut_for_the_first_message() {
        let mut out = Vec::new();
        write_message_indexes(&[0], &mut out);
        assert_eq!(out, [0]);
        out.clear();
        // [1] is count 1 (zig-zag 2) then index 1 (zig-zag 2); [2, 1] is 4, 4, 2.
        write_message_indexes(&[1], &mut out);
        assert_eq!(out, [2, 2]);
        out.clear();
        write_message_indexes(&[2, 1], &mut out);
        assert_eq!(out, [4, 4, 2]);
        assert_eq!(
            read_message_indexes(&[4, 4, 2, 7]),
            Some((vec![2, 1], &[7u8][..]))
        );
        assert_eq!(read_message_indexes(&[0, 7]), Some((vec![0], &[7u8][..])));
        assert_eq!(read_message_indexes(&[2]), None);
        assert_eq!(read_message_indexes(&[1]), None, "a negative count");
    }

    #[test]
    fn zigzag_varints_round_trip() {
        for n in [0, -1, 1, 63, -64, 64, 300, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            write_zigzag(n, &mut out);
            let mut input = &out[..];
            assert_eq!(read_zigzag(&mut input), Some(n));
            assert!(input.is_empty());
        }
    }

    #[test]
    fn guid_headers_read() {
        let mut value = vec![1];
        value.extend(0u8..16);
        assert_eq!(
            header_guid(&value).as_deref(),
            Some("00010203-0405-0607-0809-0a0b0c0d0e0f")
        );
        assert_eq!(header_guid(&value[..16]), None);
        assert_eq!(header_guid(&[0; 17]), None);
    }
}
