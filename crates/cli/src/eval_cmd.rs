//! `plansok eval`: search quality of the three analyses on the judged query set.

use std::path::PathBuf;

use plansok_eval::{evaluate, Judgments, Report, Variant};

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
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let judgments = Judgments::read(&args.queries)?;
    let reports = Variant::ALL
        .into_iter()
        .map(|v| evaluate(&args.corpus, &judgments, v))
        .collect::<Result<Vec<_>, _>>()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
        return Ok(());
    }
    println!(
        "{} judged queries over {}\n",
        judgments.query.len(),
        args.corpus.display()
    );
    println!(
        "{:<20} {:>8} {:>10} {:>7} {:>11} {:>10}",
        "analysis", "nDCG@10", "recall@20", "MRR", "index (kB)", "ingest (s)"
    );
    for r in &reports {
        println!(
            "{:<20} {:>8.3} {:>10.3} {:>7.3} {:>11} {:>10.2}",
            r.variant.name(),
            r.mean.ndcg10,
            r.mean.recall20,
            r.mean.mrr,
            r.index_bytes / 1024,
            r.ingest_secs
        );
    }
    if args.per_query || args.show > 0 {
        print_per_query(&reports, args.show);
    }
    Ok(())
}

fn print_per_query(reports: &[Report], show: usize) {
    println!(
        "\nnDCG@10 per query ({})",
        Variant::ALL.map(|v| v.name()).join(" / ")
    );
    for (i, q) in reports[0].per_query.iter().enumerate() {
        let cols: Vec<String> = reports
            .iter()
            .map(|r| format!("{:.2}", r.per_query[i].scores.ndcg10.max(0.0)))
            .collect();
        println!("{:<40} {}", q.q, cols.join("  "));
        for r in reports.iter().filter(|_| show > 0) {
            println!("  {}:", r.variant.name());
            for (grade, text) in r.per_query[i].top.iter().take(show) {
                let text: String = text.chars().take(110).collect();
                println!("    [{grade}] {text}");
            }
        }
    }
}
