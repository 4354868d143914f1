//! An OAUTHBEARER token librdkafka cannot get is the cause kctl reports, not just "no answer".
//! librdkafka connects to no broker before it has a token, so no broker is needed here.

use crate::common;

use common::kctl;
use predicates::prelude::*;

#[test]
fn a_token_that_cannot_be_had_is_the_cause() {
    let addr = common::dead_port();
    let token_url = format!("http://{}/token", common::dead_port());
    kctl()
        .env("KCTL_TEST_SECRET", "client-secret-Qz41")
        .args(["-b", &addr, "--timeout", "2s", "topics", "list"])
        .args([
            "--sasl-mechanism",
            "OAUTHBEARER",
            "--sasl-oauth-token-url",
            &token_url,
        ])
        .args([
            "--sasl-username",
            "client",
            "--sasl-password-env",
            "KCTL_TEST_SECRET",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "(last error: Failed to acquire SASL OAUTHBEARER token: ",
        ))
        .stderr(predicate::str::contains(
            "hint: librdkafka could not get an OAUTHBEARER token",
        ))
        .stderr(predicate::str::contains("client-secret-Qz41").not());

    kctl()
        .args(["-b", &addr, "--timeout", "2s", "topics", "list"])
        .args(["--sasl-mechanism", "OAUTHBEARER"])
        .args(["-X", "enable.sasl.oauthbearer.unsecure.jwt=true"])
        .args(["-X", "sasl.oauthbearer.config=nonsense"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Failed to acquire SASL OAUTHBEARER token: Unrecognized sasl.oauthbearer.config",
        ))
        .stderr(predicate::str::contains("nonsense").not());
}
