//! The README's first command, under test: the tour runs offline and every part succeeds.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_tour_succeeds_offline() {
    for var in [
        "EDUV_BASE_URL",
        "ONDERWIJSREGIO_API_KEY",
        "DATAHUB_BASE_URL",
    ] {
        if std::env::var(var).is_ok() {
            eprintln!("{var} is set: this test is about the offline tour, skipping");
            return;
        }
    }
    let sections = edu_examples::tour::run(&[]).await.unwrap();
    assert_eq!(sections.len(), edu_examples::tour::APIS.len());
    for s in &sections {
        assert!(s.error.is_none(), "{}", s.render());
        assert!(!s.log.lines().is_empty(), "{} printed nothing", s.api);
    }
}

#[tokio::test]
async fn only_runs_the_named_part_and_unknown_names_are_refused() {
    let sections = edu_examples::tour::run(&["datahub".to_owned()])
        .await
        .unwrap();
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0].api, "datahub");
    assert!(edu_examples::tour::run(&["nope".to_owned()]).await.is_err());
}
