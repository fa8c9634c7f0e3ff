//! Ranking metrics over graded judgments: nDCG@k, recall@k and reciprocal rank.

/// nDCG@k of a ranking given as the grade of each result in order, against the grades of all
/// relevant units (gain 2^grade − 1, discount log2(rank + 1)). 0 when nothing is relevant.
pub fn ndcg_at(k: usize, ranked: &[u8], all_relevant: &[u8]) -> f64 {
    let dcg = |grades: &[u8]| -> f64 {
        grades
            .iter()
            .take(k)
            .enumerate()
            .map(|(i, g)| (2f64.powi(*g as i32) - 1.0) / ((i + 2) as f64).log2())
            .sum()
    };
    let mut ideal = all_relevant.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(&ideal);
    if best == 0.0 {
        return 0.0;
    }
    dcg(ranked) / best
}

/// Share of the relevant units (grade ≥ 1) found in the first k results.
pub fn recall_at(k: usize, ranked: &[u8], relevant_total: usize) -> f64 {
    if relevant_total == 0 {
        return 0.0;
    }
    let found = ranked.iter().take(k).filter(|g| **g > 0).count();
    found as f64 / relevant_total as f64
}

/// 1 / rank of the first relevant result, 0 when none is.
pub fn reciprocal_rank(ranked: &[u8]) -> f64 {
    ranked
        .iter()
        .position(|g| *g > 0)
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_ranking_scores_one() {
        assert!((ndcg_at(10, &[2, 1, 0], &[2, 1]) - 1.0).abs() < 1e-9);
        assert_eq!(recall_at(20, &[2, 1, 0], 2), 1.0);
        assert_eq!(reciprocal_rank(&[2, 1]), 1.0);
    }

    #[test]
    fn later_and_missing_answers_score_less() {
        let swapped = ndcg_at(10, &[1, 2], &[2, 1]);
        assert!(swapped < 1.0 && swapped > 0.5, "{swapped}");
        // DCG [0, 2] = 3/log2(3); ideal [2] = 3.
        assert!((ndcg_at(10, &[0, 2], &[2]) - 1.0 / 3f64.log2()).abs() < 1e-9);
        assert_eq!(ndcg_at(1, &[0, 2], &[2]), 0.0);
        assert_eq!(recall_at(20, &[0, 1, 0], 4), 0.25);
        assert_eq!(reciprocal_rank(&[0, 0, 1]), 1.0 / 3.0);
        assert_eq!(reciprocal_rank(&[0, 0]), 0.0);
        assert_eq!(ndcg_at(10, &[0], &[]), 0.0);
    }
}
