//! `octo sandbox`: a local OCTO in the foreground, with everything a person
//! needs to point a client at it.

use std::net::SocketAddr;
use std::path::PathBuf;

use octo_proto::NotificationKey;
use octo_sandbox::{FiscalObject, Sandbox, SandboxBuilder, Signing};

use crate::backend;
use crate::cli::Scheme;
use crate::failure::{Failure, exit};

/// The key the CLI's sandboxes sign notifications with (the `unique_key`
/// scheme, as OCTO's public integrations use, and the sandbox's default),
/// so that `octo verify-notification` works against them with its defaults.
pub const SANDBOX_NOTIFY_KEY: &str = octo_sandbox::DEFAULT_NOTIFY_KEY;

/// The fiscal object the CLI's sandboxes have registered, so that fiscal
/// baskets (and `fiscal-data`) can be tried.
pub fn fiscal_object() -> FiscalObject {
    FiscalObject::example()
}

/// The sandbox the CLI starts: its default shop, notifications signed with
/// [`SANDBOX_NOTIFY_KEY`], and [`fiscal_object`] registered.
pub fn builder() -> SandboxBuilder {
    Sandbox::builder()
        .signing(Signing::UniqueKey(NotificationKey::new(SANDBOX_NOTIFY_KEY)))
        .fiscal_object(fiscal_object())
}

/// Runs the sandbox until Ctrl-C (or until the process is stopped), signing
/// notifications with `scheme`, with the stricter rules when `strict`.
pub fn run(port: u16, data: Option<PathBuf>, scheme: Scheme, strict: bool) -> Result<u8, Failure> {
    let runtime = backend::runtime()?;
    runtime.block_on(async {
        let signing = match scheme {
            Scheme::UniqueKey => Signing::UniqueKey(NotificationKey::new(SANDBOX_NOTIFY_KEY)),
            Scheme::SecretHashKey => Signing::SecretAndHashKey,
        };
        let mut builder = builder()
            .signing(signing)
            .strict(strict)
            .bind(SocketAddr::from(([127, 0, 0, 1], port)));
        if let Some(path) = data {
            builder = builder.data_file(path);
        }
        let handle = builder.start().await.map_err(|e| {
            Failure::new(
                exit::USAGE,
                format!("the sandbox did not start: {e}"),
                Some("pick another --port (0 takes a free one), or check the --data file"),
            )
        })?;
        println!("{}", handle.banner());
        let object = fiscal_object();
        println!(
            "notification key (OCTO_NOTIFY_KEY): {SANDBOX_NOTIFY_KEY}\n\
             registered fiscal object: spic {} package_code {} nds {} inn {}\n",
            object.spic,
            object.package_code,
            object.nds,
            object.inn.as_deref().unwrap_or("-"),
        );
        println!(
            "To call it, put these in a file (say sandbox.env) and pass --credentials sandbox.env:\n\n\
             OCTO_SHOP_ID={}\nOCTO_SECRET={}\nOCTO_NOTIFY_KEY={SANDBOX_NOTIFY_KEY}\n\n\
             then, for example:\n  octo prepare --base-url {} --credentials sandbox.env --test \\\n    \
             --id order-1 --amount 1000 --description Tea --return-url https://shop.example/done\n\n\
             Press Ctrl-C to stop.",
            handle.shop_id(),
            handle.shop_secret().expose_secret(),
            handle.base_url(),
        );
        let _ = tokio::signal::ctrl_c().await;
        handle.shutdown().await;
        Ok(exit::OK)
    })
}
