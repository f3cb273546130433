//! A path parameter cannot change which endpoint is called: an empty, `.` or `..` value is
//! refused with a typed error naming the parameter, before anything is sent, on every client
//! whose path parameters can hold text; `/`, `?`, `#` and `%` stay inside their segment.
//! (Edu-V's path parameters are UUIDs, in its spec and in its client's signatures: no text
//! reaches its paths.)

use edu_common::Error;
use futures::StreamExt;

const ESCAPES: [&str; 3] = ["", ".", ".."];

fn refused(err: &Error, param: &str) {
    match err {
        Error::InvalidInput { field, message } => {
            assert_eq!(field.as_deref(), Some(param), "{message}");
        }
        other => panic!("expected InvalidInput for `{param}`, got {other:?}"),
    }
}

/// No API request reached the simulator (a token request of the OAuth2 ones is not one).
fn nothing_sent(sim_api_requests: usize, what: &str) {
    assert_eq!(sim_api_requests, 0, "{what}: a request reached the API");
}

#[tokio::test]
async fn eduframe_refuses_a_dot_segment_in_a_text_or_enum_path_parameter() {
    use eduframe_client::types::{
        GetOptionOfCustomFieldObjectType, GetOptionsOfCustomFieldObjectType,
    };
    let sim = eduframe_client::mock::Simulator::start().await;
    let c = sim.client();
    for bad in ESCAPES {
        let err = c
            .custom_field_options()
            .get(GetOptionOfCustomFieldObjectType::Users, bad, 1)
            .await
            .unwrap_err();
        refused(&err, "field_slug");
        let first = c
            .custom_field_options()
            .list(GetOptionsOfCustomFieldObjectType::Users, bad)
            .stream()
            .next()
            .await
            .unwrap();
        refused(&first.unwrap_err(), "field_slug");
        // An enum's unknown value is text as well.
        let err = c
            .custom_field_options()
            .get(
                GetOptionOfCustomFieldObjectType::Other(bad.to_owned()),
                "slug",
                1,
            )
            .await
            .unwrap_err();
        refused(&err, "object_type");
    }
    nothing_sent(sim.api_requests(), "eduframe");
    // Reserved characters stay in their segment: a slug with `/`, `?`, `#` and `%` is one
    // segment of the same endpoint, not another endpoint.
    let _ = c
        .custom_field_options()
        .get(GetOptionOfCustomFieldObjectType::Users, "a/../b?c#%2e", 1)
        .await;
    let sent = sim.requests();
    let path = sent.last().unwrap().request.url.path().to_owned();
    assert!(
        path.ends_with("/fields/a%2F..%2Fb%3Fc%23%252e/options/1"),
        "{path}"
    );
}

#[tokio::test]
async fn edfi_admin_refuses_a_dot_segment_as_a_tenant_name() {
    let sim = edfi_admin_client::mock::Simulator::start().await;
    let c = sim.client();
    for bad in ESCAPES {
        let err = c.tenants().get(bad).await.unwrap_err();
        refused(&err, "tenantName");
    }
    nothing_sent(sim.api_requests(), "ed-fi admin");
}

#[tokio::test]
async fn datahub_refuses_a_dot_segment_as_a_record_id() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let c = sim.client();
    for bad in ESCAPES {
        let err = c.students().get(bad).await.unwrap_err();
        refused(&err, "id");
    }
    nothing_sent(sim.api_requests(), "datahub");
}

#[tokio::test]
async fn onderwijsregio_refuses_a_dot_segment_as_a_candidate_id() {
    let sim = onderwijsregio_client::mock::Simulator::start().await;
    let c = sim.client();
    for bad in ESCAPES {
        let err = c.candidates().get(bad).await.unwrap_err();
        refused(&err, "id");
    }
    nothing_sent(sim.api_requests(), "onderwijsregio");
}
