//! Tauri's build step, with an app manifest that lists the app's own commands so that
//! the capability files can grant them one by one (least privilege).

fn main() {
    // The front end is embedded at compile time. Without node (a plain `cargo check`,
    // clippy on a machine that never ran `npm run build`) write a placeholder page so
    // the crate still builds; `scripts/run` and `scripts/test` build the real ui first.
    let dist = std::path::Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        let _ = std::fs::create_dir_all(dist);
        let _ = std::fs::write(
            dist.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Civitas</title>\
             <p>The user interface has not been built: run <code>npm run build</code> in ui/.</p>",
        );
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    let commands: &[&str] = &include!("src/commands/names.in");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .unwrap_or_else(|e| {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    });
}
