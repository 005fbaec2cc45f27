#![forbid(unsafe_code)]

fn main() {
    // Analysis and evaluation recurse over expression trees whose depth the parser bounds;
    // a roomy stack keeps even the deepest accepted formula far from overflow.
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(kpi::cli::main);
    let code = match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => 101,
    };
    std::process::exit(code);
}
