//! PDF text against poppler's pdftotext: the fixture PDFs (aim ≥ 0.95 median similarity) and
//! the real-world set (every file read or skipped with a reason; no panic, no hang).

mod common;

use std::path::{Path, PathBuf};

use common::{median, pipeline, shared, similarity};
use plansok_extract::{extract, ExtractConfig, ExtractError, Format, Hints};
use plansok_ingest::FileOutcome;

fn pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    v.sort();
    v
}

/// The reference text beside a PDF (the fixtures and the real-world set name it differently).
fn reference(pdf: &Path) -> Option<String> {
    let a = PathBuf::from(format!("{}.pdftotext.txt", pdf.display()));
    let b = pdf.with_extension("pdftotext.txt");
    std::fs::read_to_string(a)
        .or_else(|_| std::fs::read_to_string(b))
        .ok()
}

fn extract_pdf(path: &Path) -> Result<String, ExtractError> {
    let cfg = ExtractConfig::load().unwrap();
    let bytes = std::fs::read(path).unwrap();
    extract(&cfg, &bytes, Format::Pdf, &Hints::default()).map(|e| e.body())
}

#[test]
fn fixture_pdfs_match_pdftotext() {
    let Some(shared) = shared() else { return };
    let mut scores = Vec::new();
    for pdf in pdfs(&shared.join("fixtures/pdf")) {
        let reference = reference(&pdf).expect("pdftotext output beside fixture");
        let text = extract_pdf(&pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
        for (needle, what) in [("å", "å"), ("ä", "ä"), ("ö", "ö")] {
            assert_eq!(
                reference.contains(needle),
                text.contains(needle),
                "{}: {what}",
                pdf.display()
            );
        }
        let s = similarity(&text, &reference);
        println!("{:.4} {}", s, pdf.file_name().unwrap().to_string_lossy());
        assert!(
            !text.contains('\u{FB01}') && !text.contains('\u{FFFD}'),
            "{}: ligature or replacement char",
            pdf.display()
        );
        scores.push(s);
    }
    let m = median(scores.clone());
    let min = scores.iter().cloned().fold(1.0, f64::min);
    println!("fixtures: n={} median={m:.4} min={min:.4}", scores.len());
    assert!(m >= 0.95, "median similarity {m:.4} < 0.95");
}

#[test]
fn every_real_world_pdf_is_read_or_skipped_with_a_reason() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("realworld/pdf");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let category = |name: &str| {
        manifest
            .lines()
            .find(|l| l.starts_with(&format!("{name}\t")))
            .and_then(|l| l.split('\t').nth(6))
            .unwrap_or("?")
            .to_string()
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut p = pipeline(tmp.path());
    let files = pdfs(&dir);
    let mut read = 0;
    let mut scores = Vec::new();
    for pdf in &files {
        let name = pdf.file_name().unwrap().to_string_lossy().to_string();
        let cat = category(&name);
        let outcome = p.ingest_file(pdf);
        if matches!(
            outcome,
            Ok(FileOutcome::Indexed(_) | FileOutcome::Unchanged)
        ) {
            read += 1;
        }
        let reason = match &outcome {
            Ok(o) => format!("{o:?}").chars().take(40).collect(),
            Err(e) => e.to_string(),
        };
        assert!(!reason.is_empty());
        if cat == "encrypted-password" {
            assert!(
                outcome.is_err(),
                "{name}: a password-protected PDF must not be read"
            );
        }
        if cat == "encrypted-empty" {
            let encrypted = matches!(
                outcome,
                Err(plansok_ingest::IngestError::Extract(
                    ExtractError::Encrypted
                ))
            );
            assert!(
                !encrypted,
                "{name}: an empty user password must open the file: {reason}"
            );
        }
        let sim = match (&outcome, reference(pdf).filter(|r| !r.trim().is_empty())) {
            (Ok(_), Some(r)) => extract_pdf(pdf).ok().map(|t| similarity(&t, &r)),
            _ => None,
        };
        if let Some(s) = sim {
            scores.push(s);
        }
        println!(
            "{:<40} {:<20} {:>7} {}",
            name,
            cat,
            sim.map(|s| format!("{s:.3}")).unwrap_or("-".into()),
            reason
        );
    }
    p.commit().unwrap();
    println!(
        "real-world: {} files, {} read, median similarity {:.4} over {}",
        files.len(),
        read,
        median(scores.clone()),
        scores.len()
    );
    assert_eq!(files.len(), 58, "the whole real-world set was tried");
    assert!(read >= 40, "most real-world PDFs are read ({read})");
}
