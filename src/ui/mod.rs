//! The desktop window.

use std::process::ExitCode;

use crate::sim::{self, SimConfig};

/// Opens the window, against `director` or the built-in simulator.
pub fn run(director: Option<String>, _portal: Option<String>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start background tasks: {e}");
            return ExitCode::from(2);
        }
    };
    let (url, demo) = match director {
        Some(url) => (url, false),
        None => match runtime.block_on(sim::start(SimConfig::demo(), ([127, 0, 0, 1], 0).into())) {
            Ok(running) => {
                let url = running.url();
                // The simulator lives as long as the process.
                std::mem::forget(running);
                (url, true)
            }
            Err(e) => {
                eprintln!("error: cannot start the built-in simulator: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Connect HYBRID Setup")
            .with_inner_size([960.0, 680.0])
            .with_min_inner_size([720.0, 520.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Connect HYBRID Setup",
        options,
        Box::new(move |_cc| Ok(Box::new(Placeholder { url, demo }))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            ExitCode::from(2)
        }
    }
}

struct Placeholder {
    url: String,
    demo: bool,
}

impl eframe::App for Placeholder {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Connect HYBRID Setup");
            if self.demo {
                ui.label("Demo Director (built-in simulator)");
            }
            ui.label(format!("Director: {}", self.url));
        });
    }
}
