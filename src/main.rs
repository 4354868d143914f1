fn main() {
    std::process::exit(kctl::main());
}
