import importlib, pkgutil
from google.protobuf import descriptor_pb2
import google.type
mods = ['confluent_kafka.schema_registry.confluent.meta_pb2',
        'confluent_kafka.schema_registry.confluent.types.decimal_pb2', 'confluent_kafka.schema_registry.confluent.type.decimal_pb2', 'confluent_kafka.schema_registry.confluent.type.variant_pb2']
for m in pkgutil.iter_modules(google.type.__path__):
    if m.name.endswith('_pb2'):
        mods.append('google.type.' + m.name)
fds = descriptor_pb2.FileDescriptorSet()
seen = set()
for name in mods:
    mod = importlib.import_module(name)
    fd = mod.DESCRIPTOR
    if fd.name in seen: continue
    seen.add(fd.name)
    p = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(p)
    fds.file.append(p)
    print(fd.name, list(fd.dependencies and [d.name for d in fd.dependencies]))
open('/work/wt-codec/src/codec/wellknown.desc','wb').write(fds.SerializeToString())
