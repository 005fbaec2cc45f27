use kpi::span::*; use kpi::syntax::*; use kpi::render::*;
fn main() {
    for f in std::env::args().skip(1) {
        let mut sm = SourceMap::default();
        let id = sm.add("<arg>", f.clone());
        let mut d = vec![];
        let e = parse_formula(&f, &Locator::shifted(id, 0), &mut d);
        println!("{f}\n  => {}", expr_to_string(&e));
        for x in &d { print!("{}", human(x, &sm, Style::PLAIN)); }
    }
}
