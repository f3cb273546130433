//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edu_common::{RetryConfig, Transport, TransportBuilder};
use wiremock::{Request, Respond, ResponseTemplate};

/// A transport builder for `server` with fast backoff, so tests do not sleep long.
pub fn fast(uri: &str) -> TransportBuilder {
    Transport::builder(uri).retry(RetryConfig {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryConfig::default()
    })
}

/// Answers with each template in turn, then repeats the last; records when each request arrived.
#[derive(Clone)]
pub struct Sequence {
    templates: Arc<Vec<ResponseTemplate>>,
    pub arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Sequence {
    pub fn new(templates: Vec<ResponseTemplate>) -> Self {
        Sequence {
            templates: Arc::new(templates),
            arrivals: Arc::default(),
        }
    }

    pub fn count(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap();
        let i = arrivals.len().min(self.templates.len() - 1);
        arrivals.push(Instant::now());
        self.templates[i].clone()
    }
}

/// Records arrival times and always answers 200 `{}`.
#[derive(Clone, Default)]
pub struct Recorder {
    pub arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Recorder {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.arrivals.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(200).set_body_json(serde_json::json!({}))
    }
}
