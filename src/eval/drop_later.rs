//! Freeing big state off the critical path: millions of `per` entities take tens of
//! milliseconds to give back to the system, while the results they gave are ready.

/// Drop `x` on a thread of its own, not waited for: a command that exits next does not
/// wait for the memory to be freed (the system takes it back whole); a process that goes
/// on (the language server) gets it back a moment later. When no thread can start, the
/// closure, and `x` with it, is dropped here.
pub fn drop_later<T: Send + 'static>(x: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(x));
}
