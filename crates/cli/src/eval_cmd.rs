//! `plansok eval`: search quality of the three analyses on a judged query set, beside the
//! external baselines (`--baselines`), and the classification against the corpus's gold labels.

use std::path::PathBuf;

use plansok_eval::gold::{Classification, GoldSet};
use plansok_eval::{evaluate_with, Judgments, Report, Variant};

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Judged queries.
    #[arg(long, default_value = "tests/judgments/queries.toml")]
    queries: PathBuf,
    /// Corpus the judgments are about.
    #[arg(long, default_value = "corpus/sample")]
    corpus: PathBuf,
    /// Also print each query's scores.
    #[arg(long)]
    per_query: bool,
    /// Print the first N results of each query under each analysis (with their grades).
    #[arg(long, default_value_t = 0)]
    show: usize,
    /// Also score the external baselines (Xapian and PostgreSQL with Swedish stemming; needs
    /// `crates/eval/scripts/install_deps.sh`).
    #[arg(long)]
    baselines: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let judgments = Judgments::read(&args.queries)?;
    let gold = GoldSet::read(&args.corpus)?;
    let mut reports = Vec::new();
    let mut classification = None;
    for v in Variant::ALL {
        // The shipped analysis also runs the baselines and scores the classification.
        let full = v == Variant::Full;
        let run = evaluate_with(&args.corpus, &judgments, v, &gold, full && args.baselines)?;
        reports.push(run.report);
        reports.extend(run.baselines);
        if full && !gold.is_empty() {
            classification = run.classification;
        }
    }
    if args.json {
        let out = serde_json::json!({"search": reports, "classification": classification});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "{} judged queries over {}\n",
        judgments.query.len(),
        args.corpus.display()
    );
    println!(
        "{:<32} {:>8} {:>10} {:>7} {:>11} {:>10}",
        "analysis", "nDCG@10", "recall@20", "MRR", "index (kB)", "ingest (s)"
    );
    for r in &reports {
        println!(
            "{:<32} {:>8.3} {:>10.3} {:>7.3} {:>11} {:>10.2}",
            r.name,
            r.mean.ndcg10,
            r.mean.recall20,
            r.mean.mrr,
            r.index_bytes / 1024,
            r.ingest_secs
        );
    }
    if let Some(c) = &classification {
        print_classification(c, args.show);
    }
    if args.per_query || args.show > 0 {
        print_per_query(&reports, args.show);
    }
    Ok(())
}

fn print_classification(c: &Classification, show: usize) {
    println!(
        "\nclassification against the gold labels ({} of {} documents indexed)\n",
        c.indexed, c.gold
    );
    println!("{:<14} {:>9} {:>8}", "field", "accuracy", "judged");
    for (name, t) in [
        ("county", c.county),
        ("municipality", c.municipality),
        ("period", c.period),
        ("type", c.doc_type),
        ("language", c.language),
        ("on topic", c.on_topic),
    ] {
        println!("{:<14} {:>9.3} {:>8}", name, t.accuracy(), t.judged);
    }
    println!(
        "{:<14} {:>9.3} {:>8}   (F1; {} right, {} extra, {} missed)",
        "goal areas",
        c.goals.f1(),
        c.indexed,
        c.goals.true_pos,
        c.goals.false_pos,
        c.goals.false_neg
    );
    for (url, field, want, have) in c.misses.iter().take(show) {
        println!("  {field}: gold {want:?}, plansok {have:?}  {url}");
    }
}

fn print_per_query(reports: &[Report], show: usize) {
    println!(
        "\nnDCG@10 per query ({})",
        reports
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" / ")
    );
    for (i, q) in reports[0].per_query.iter().enumerate() {
        let cols: Vec<String> = reports
            .iter()
            .map(|r| format!("{:.2}", r.per_query[i].scores.ndcg10.max(0.0)))
            .collect();
        println!("{:<40} {}", q.q, cols.join("  "));
        for r in reports
            .iter()
            .filter(|r| show > 0 && !r.per_query[i].top.is_empty())
        {
            println!("  {}:", r.name);
            for (grade, text) in r.per_query[i].top.iter().take(show) {
                let text: String = text.chars().take(110).collect();
                println!("    [{grade}] {text}");
            }
        }
    }
}
