//! The built-in catalog against its source text (`tests/fixtures/backend-team-metrics.txt`): every
//! name, description, target and idea word for word, and every metric complete and consistent.

use kpi::input::catalog::load_builtin;

/// One metric as the source text states it.
#[derive(Debug, Default, PartialEq)]
struct SourceMetric {
    category: String,
    name: String,
    description: String,
    target: String,
    ideas: Vec<String>,
}

fn parse_source(text: &str) -> Vec<SourceMetric> {
    let mut metrics: Vec<SourceMetric> = Vec::new();
    let mut category = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("Metrics for ") {
            category = rest.trim_start_matches("Measuring ").to_string();
        } else if line.starts_with("Tracking your") {
            break;
        } else if let Some(item) = line.strip_prefix("• ") {
            match item.split_once(". ") {
                Some((number, name)) if number.parse::<u32>().is_ok() => {
                    metrics.push(SourceMetric {
                        category: category.clone(),
                        name: name.to_string(),
                        ..SourceMetric::default()
                    });
                }
                _ => metrics.last_mut().unwrap().ideas.push(item.to_string()),
            }
        } else if let Some(target) = line.strip_prefix("What good looks like for this metric: ") {
            metrics.last_mut().unwrap().target = target.to_string();
        } else if line != "Ideas to improve this metric"
            && let Some(metric) = metrics.last_mut()
        {
            metric.description = line.to_string();
        }
    }
    metrics
}

#[test]
fn catalog_says_exactly_what_the_source_says() {
    let source = parse_source(include_str!("fixtures/backend-team-metrics.txt"));
    assert_eq!(source.len(), 15, "the source lists fifteen metrics");
    let catalog = load_builtin().unwrap();
    let ours: Vec<SourceMetric> = catalog
        .metrics()
        .iter()
        .map(|m| SourceMetric {
            category: m.category.clone(),
            name: m.name.clone(),
            description: m.description.clone(),
            target: m.target.clone(),
            ideas: m.ideas.clone(),
        })
        .collect();
    assert_eq!(ours, source);
}

#[test]
fn every_metric_is_complete() {
    let catalog = load_builtin().unwrap();
    assert_eq!(catalog.categories().len(), 3);
    for m in catalog.metrics() {
        assert!(!m.id.is_empty() && !m.description.is_empty(), "{}", m.id);
        assert_eq!(m.ideas.len(), 5, "{} has five ideas", m.id);
        assert!(
            m.thresholds.warn.contains_band(&m.thresholds.pass),
            "{}: warn band contains pass band",
            m.id
        );
    }
}

#[test]
fn ids_are_the_documented_ones() {
    let ids: Vec<String> = load_builtin().unwrap().metrics().iter().map(|m| m.id.clone()).collect();
    assert_eq!(
        ids,
        [
            "response_time",
            "error_rate",
            "requests_per_second",
            "cpu_utilisation",
            "memory_usage",
            "code_review_rounds",
            "code_coverage",
            "defect_density",
            "code_commits",
            "code_complexity",
            "code_quality",
            "deployment_frequency",
            "mttr",
            "test_coverage",
            "api_response_time",
        ]
    );
}

#[test]
fn common_spellings_and_aliases_resolve() {
    let catalog = load_builtin().unwrap();
    let id = |name: &str| catalog.metrics()[catalog.resolve(name).unwrap()].id.clone();
    assert_eq!(id("CPU utilization"), "cpu_utilisation");
    assert_eq!(id("rps"), "requests_per_second");
    assert_eq!(id("Request Per Second (RPS)"), "requests_per_second");
    assert_eq!(id("MTTR"), "mttr");
    assert_eq!(id("Mean Time to Recovery"), "mttr");
    assert_eq!(id("api-response-time"), "api_response_time");
    assert_eq!(id("Number of Code Commits"), "code_commits");
    assert!(catalog.resolve("coverage").is_err(), "ambiguous between code and test coverage");
}
