// Unsafe code here is the one function below, run before `main`; kctl's own unsafe code is in
// src/kafka/native/ (see src/lib.rs).
#![deny(unsafe_code)]

fn main() {
    std::process::exit(kctl::main());
}

/// Notes whether descriptor 1 (stdout) is open, before Rust's start-up code puts /dev/null on
/// a closed one (see `kctl::stdio::note_stdout_closed_at_start`: after that, a stdout closed
/// with `>&-` cannot be told from a /dev/null opened read-write on purpose). The C runtime
/// calls the functions of `.init_array` (`__mod_init_func` on Apple systems) before `main`,
/// single-threaded, in order; Rust's own start-up code runs from `main`.
extern "C" fn note_closed_stdout() {
    // SAFETY: fcntl(F_GETFD) only reads the flags of descriptor 1, or fails with EBADF when it
    // is not open; it takes no pointer and changes nothing.
    #[allow(unsafe_code)]
    let open = unsafe { libc::fcntl(1, libc::F_GETFD) } != -1;
    if !open {
        kctl::stdio::note_stdout_closed_at_start();
    }
}

// SAFETY: the section holds pointers to functions the C runtime calls before `main` with no
// arguments it needs; `note_closed_stdout` takes none, returns nothing, cannot unwind (it
// panics nowhere) and only reads descriptor flags and stores a flag.
#[allow(unsafe_code)]
#[used]
#[cfg_attr(
    target_vendor = "apple",
    unsafe(link_section = "__DATA,__mod_init_func")
)]
#[cfg_attr(not(target_vendor = "apple"), unsafe(link_section = ".init_array"))]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;
