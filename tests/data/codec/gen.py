"""Writes vectors.json: records encoded by confluent-kafka's own serializers (against its mock
registry), for kctl's codec unit tests (src/codec/tests.rs).

Run: python3 -m pip install 'confluent-kafka[avro,protobuf,json]' grpcio-tools
     python3 tests/data/codec/gen.py   (from the repository root)
"""

import datetime
import decimal
import json
import os
import sys
import tempfile
import uuid

from confluent_kafka.schema_registry import Schema, SchemaReference
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer
from confluent_kafka.schema_registry._sync.mock_schema_registry_client import MockSchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
from confluent_kafka.schema_registry import header_schema_id_serializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import json_format

HERE = os.path.dirname(os.path.abspath(__file__))
client = MockSchemaRegistryClient({"url": "mock://"})
cases = []


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def add(name, fmt, serializer, topic, data, expected_json, proto_type=None, header=False):
    ctx = SerializationContext(topic, MessageField.VALUE, [] if header else None)
    payload = serializer(data, ctx)
    case = {"name": name, "format": fmt, "json": expected_json, "bytes": payload.hex()}
    if proto_type:
        case["proto_type"] = proto_type
    if header:
        (key, value), = ctx.headers
        case["header"] = {"key": key, "value": value.hex()}
    cases.append(case)


# Avro ---------------------------------------------------------------------------------------
address = json.dumps({
    "type": "record", "name": "Address", "namespace": "com.acme",
    "fields": [{"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "string"], "default": None}],
})
client.register_schema("address", Schema(address, "AVRO"))
person = json.dumps({
    "type": "record", "name": "Person", "namespace": "com.acme",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "name", "type": "string"},
        {"name": "score", "type": "double"},
        {"name": "ratio", "type": "float"},
        {"name": "ok", "type": "boolean"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": "int"}},
        {"name": "choice", "type": ["null", "string", "long"]},
        {"name": "home", "type": ["null", "com.acme.Address"]},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
        {"name": "raw", "type": "bytes"},
        {"name": "code", "type": {"type": "fixed", "name": "Code", "size": 2}},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
    ],
})
avro_refs = [SchemaReference("com.acme.Address", "address", 1)]
avro_ser = AvroSerializer(client, Schema(person, "AVRO", avro_refs))
at = datetime.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=datetime.timezone.utc)
for n, (choice, home, amount) in enumerate([
    ("x", {"city": "Paris", "zip": None}, "-12.30"),
    (42, None, "0.05"),
    (None, {"city": "Zürich", "zip": "8000"}, "-1.28"),
]):
    py = {
        "id": 7 + n, "name": "héllo \"q\"", "score": 1.5, "ratio": 0.25, "ok": n % 2 == 0,
        "tags": ["a", "b"], "attrs": {"z": 1, "a": -2}, "choice": choice, "home": home,
        "color": "GREEN", "raw": b"\xff\x00", "code": b"\x00\x01", "amount": decimal.Decimal(amount),
        "at": at, "day": datetime.date(2023, 11, 14), "ref": "123e4567-e89b-12d3-a456-426614174000",
    }
    shown = dict(py, raw="/wA=", code="AAE=", amount=amount, at="2023-11-14T22:13:20.123Z", day="2023-11-14")
    add(f"avro person {n}", "avro", avro_ser, "people", py, compact(shown))

plain = json.dumps({"type": "record", "name": "Plain", "fields": [{"name": "v", "type": "string"}]})
plain_ser = AvroSerializer(client, plain, conf={"schema.id.serializer": header_schema_id_serializer})
add("avro header form", "avro", plain_ser, "plain", {"v": "hi"}, compact({"v": "hi"}), header=True)

# Protobuf -----------------------------------------------------------------------------------
protos = {
    "common/money.proto": 'syntax = "proto3";\npackage common;\nmessage Money {\n  string currency = 1;\n  int64 cents = 2;\n}\n',
    "shop/orders.proto": (
        'syntax = "proto3";\npackage shop;\n'
        'import "common/money.proto";\nimport "google/protobuf/timestamp.proto";\nimport "google/type/date.proto";\n'
        'message Header {\n  string id = 1;\n}\n'
        'message Order {\n'
        '  message Line {\n    string sku = 1;\n    int32 qty = 2;\n  }\n'
        '  enum Status {\n    NEW = 0;\n    PAID = 1;\n  }\n'
        '  string id = 1;\n  repeated Line lines = 2;\n  common.Money total = 3;\n'
        '  google.protobuf.Timestamp at = 4;\n  google.type.Date day = 5;\n  Status status = 6;\n'
        '  map<string, int64> counts = 7;\n  bytes blob = 8;\n  double ratio = 9;\n'
        '}\n'
    ),
}
tmp = tempfile.mkdtemp()
for name, text in protos.items():
    os.makedirs(os.path.join(tmp, os.path.dirname(name)), exist_ok=True)
    with open(os.path.join(tmp, name), "w") as f:
        f.write(text)
from grpc_tools import protoc  # noqa: E402
import grpc_tools  # noqa: E402
include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
import google.type  # noqa: E402
gtype = os.path.dirname(os.path.dirname(list(google.type.__path__)[0]))
rc = protoc.main(["protoc", f"-I{tmp}", f"-I{include}", f"-I{gtype}", f"--python_out={tmp}", *protos])
assert rc == 0, rc
sys.path.insert(0, tmp)
from shop import orders_pb2  # noqa: E402

order = orders_pb2.Order(id="o1", status=orders_pb2.Order.PAID, blob=b"\x01\x02", ratio=0.5)
order.lines.add(sku="a", qty=2)
order.lines.add(sku="b", qty=-1)
order.total.currency = "EUR"
order.total.cents = 1234
order.at.FromJsonString("2024-05-01T12:00:00.500Z")
order.day.year, order.day.month, order.day.day = 2024, 5, 1
order.counts["x"] = 3


def proto_json(message):
    return compact(json_format.MessageToDict(message))


add("protobuf order", "protobuf", ProtobufSerializer(orders_pb2.Order, client, {"use.deprecated.format": False}),
    "orders", order, proto_json(order), proto_type="shop.Order")
line = orders_pb2.Order.Line(sku="z", qty=5)
add("protobuf nested message", "protobuf", ProtobufSerializer(orders_pb2.Order.Line, client, {"use.deprecated.format": False}),
    "lines", line, proto_json(line), proto_type="shop.Order.Line")
header = orders_pb2.Header(id="h")
add("protobuf first message", "protobuf", ProtobufSerializer(orders_pb2.Header, client, {"use.deprecated.format": False}),
    "headers", header, proto_json(header), proto_type="shop.Header")

# JSON Schema --------------------------------------------------------------------------------
city = json.dumps({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
client.register_schema("city", Schema(city, "JSON"))
customer = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"name": {"type": "string"}, "n": {"type": "number"}, "home": {"$ref": "city.json"}},
    "required": ["name"],
})
json_ser = JSONSerializer(Schema(customer, "JSON", [SchemaReference("city.json", "city", 1)]), client)
data = {"name": "Zoë \"q\"", "n": 1.5, "home": {"city": "Zürich"}, "big": 10000000000000000.0}
add("json schema customer", "json_schema", json_ser, "customers", data, compact(data))
# What kctl prints is the payload's own JSON text (compact already).
cases[-1]["json"] = bytes.fromhex(cases[-1]["bytes"])[5:].decode()

# The registry's content, as kctl's schema source would see it.
schemas = []
for subject in client.get_subjects():
    for version in client.get_versions(subject):
        registered = client.get_version(subject, version)
        schema = registered.schema
        schemas.append({
            "subject": subject, "version": version, "id": registered.schema_id, "guid": registered.guid,
            "schema_type": (schema.schema_type or "AVRO").lower(),
            "schema": schema.schema_str,
            "references": [{"name": r.name, "subject": r.subject, "version": r.version} for r in (schema.references or [])],
        })
with open(os.path.join(HERE, "vectors.json"), "w") as f:
    json.dump({"schemas": schemas, "cases": cases}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(len(schemas), "schemas,", len(cases), "cases")
