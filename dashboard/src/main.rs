//! `oxidis-dashboard --listen 127.0.0.1:8080 --server 127.0.0.1:6379
//! [--server ...] [--user U --password P] [--interval-ms N] [--history N]`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!(
            "usage: oxidis-dashboard --listen ADDR --server HOST:PORT [--server ...] \
             [--user U --password P] [--interval-ms N] [--history N]"
        );
        return;
    }
    let cfg = match oxidis_dashboard::Config::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oxidis-dashboard: {}", e);
            std::process::exit(2);
        }
    };
    eprintln!("oxidis-dashboard: listening on http://{} polling {:?}", cfg.listen, cfg.servers);
    if let Err(e) = oxidis_dashboard::run(cfg) {
        eprintln!("oxidis-dashboard: {}", e);
        std::process::exit(1);
    }
}
