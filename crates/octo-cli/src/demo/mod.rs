//! `octo demo`: an embedded sandbox, the shop's callback server, and every
//! scenario through the chosen transport, told step by step.
//!
//! Nothing is simulated on the shop's side: each call goes over HTTP
//! through the transport to the sandbox, and each notification comes back
//! over HTTP and is verified with octo-proto. Only the customer's clicks
//! and typing go straight into the sandbox. The demo uses the sandbox's own
//! shop, never credentials from the environment.

mod drive;
mod money;
mod narrate;
mod narrated;
mod receiver;
mod scenarios;
mod steps;

use std::time::{Duration, Instant};

use octo_proto::NotificationKey;
use octo_proto::callback::SignatureScheme;

use crate::backend::{self, Backend};
use crate::cli::Transport;
use crate::commands::sandbox::{self as sandbox_command, SANDBOX_NOTIFY_KEY};
use crate::failure::{Failure, exit};
use narrate::Narrator;
use receiver::{Arrival, Receiver};
use scenarios::SCENARIOS;
use steps::Ctx;

/// Runs every scenario; exit 0 only when each ended as expected.
pub fn run(transport: Transport) -> Result<u8, Failure> {
    let started = Instant::now();
    let runtime = backend::runtime()?;
    let scheme = SignatureScheme::UniqueKey(NotificationKey::new(SANDBOX_NOTIFY_KEY));
    let (sandbox, receiver) = runtime.block_on(async {
        let sandbox = sandbox_command::builder()
            // Callbacks retried quickly, so the demo never waits long on a
            // held payment's repeated notification.
            .fast_callbacks(3, Duration::from_millis(100))
            .start()
            .await
            .map_err(|e| {
                Failure::new(
                    exit::NETWORK,
                    format!("the sandbox did not start: {e}"),
                    None,
                )
            })?;
        let receiver = Receiver::start(scheme).await.map_err(|e| {
            Failure::new(
                exit::NETWORK,
                format!("the callback server did not start: {e}"),
                None,
            )
        })?;
        Ok::<_, Failure>((sandbox, receiver))
    })?;
    let backend = Backend::new(transport, sandbox.client_config(), runtime.handle())?;
    let narrator = Narrator::default();
    narrator.say(&format!(
        "OCTO demo: a shop takes card payments through OCTO, Uzbekistan's gateway for Uzcard, \
         Humo, Visa and Mastercard.\n\n\
         OCTO here is a local sandbox at {} (test shop {}); the shop's calls go through {}.\n\
         The shop's server receives OCTO's callbacks at {}\n\
         and checks every notification's signature; a genuine one is still only a hint (its\n\
         signature covers the payment's id and status, not the amounts), so the shop acts only\n\
         on OCTO's answer to a status check. The customer's part (card form, SMS code,\n\
         3-D Secure page) is played with the sandbox's test cards.\n\
         Each flow is one of octo-proto's state machines (a payment, a payment with a saved\n\
         card, a binding, a token): the machine decides every call, the transport's `run`\n\
         sends it, and the machine moves only on OCTO's answers.",
        sandbox.base_url(),
        sandbox.shop_id(),
        backend.name(),
        receiver.notify_url(),
    ));
    let mut ctx = Ctx {
        backend: &backend,
        sandbox: &sandbox,
        receiver: &receiver,
        narrator,
        token: None,
    };
    let mut passed = 0;
    let mut failed_titles = Vec::new();
    for (index, scenario) in SCENARIOS.iter().enumerate() {
        ctx.narrator
            .scenario(index + 1, SCENARIOS.len(), scenario.title, scenario.story);
        let outcome = (scenario.run)(&mut ctx);
        ctx.narrator.verdict(&outcome);
        match outcome {
            Ok(_) => passed += 1,
            Err(_) => failed_titles.push(scenario.title),
        }
    }
    runtime.block_on(sandbox.wait_for_callbacks(Duration::from_secs(3)));
    let summary = summarize(&receiver.arrivals());
    let narrator = ctx.narrator;
    narrator.say("");
    narrator.say(&format!(
        "Summary: {passed} of {} flows ended as expected, through {}, in {:.1} s.",
        SCENARIOS.len(),
        backend.name(),
        started.elapsed().as_secs_f64()
    ));
    narrator.say(&format!(
        "         callbacks: {} notifications verified, {} tokenization, {} refused.",
        summary.notifications,
        summary.tokenizations,
        summary.refused.len()
    ));
    for title in &failed_titles {
        narrator.say(&format!("         failed: {title}"));
    }
    for reason in &summary.refused {
        narrator.say(&format!("         refused callback: {reason}"));
    }
    drop(backend);
    runtime.block_on(sandbox.shutdown());
    drop(receiver);
    if failed_titles.is_empty() && summary.refused.is_empty() {
        narrator.say("\nNext: `octo sandbox` runs this sandbox on its own; `octo --help` lists the API commands.");
        Ok(exit::OK)
    } else {
        Ok(exit::REFUSED)
    }
}

struct Counts {
    notifications: usize,
    tokenizations: usize,
    refused: Vec<String>,
}

fn summarize(arrivals: &[Arrival]) -> Counts {
    let mut counts = Counts {
        notifications: 0,
        tokenizations: 0,
        refused: Vec::new(),
    };
    for arrival in arrivals {
        match arrival {
            Arrival::Notification(_) => counts.notifications += 1,
            Arrival::Tokenization(_) => counts.tokenizations += 1,
            Arrival::Refused(reason) => counts.refused.push(reason.clone()),
        }
    }
    counts
}
