//! `ferry serve`: the browser workspace on the store (`ferry_server`).

use std::net::SocketAddr;

use crate::Outcome;
use crate::cli::GlobalArgs;
use crate::printer::Printer;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ferry serve                          (http://127.0.0.1:8080/, after `ferry users add`)\n  ferry serve --db crm.db --bind 127.0.0.1:0"
)]
pub struct Args {
    /// Where to listen: loopback by default; any other address serves the
    /// network in plain HTTP (put a TLS proxy in front of it). Port 0 picks a free port
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    bind: SocketAddr,
}

pub fn run(args: Args, global: &GlobalArgs, printer: &Printer) -> anyhow::Result<Outcome> {
    if !args.bind.ip().is_loopback() {
        printer.warn(format!(
            "`{}` is not a loopback address: passwords and sessions cross the network in plain HTTP; put a TLS proxy in front of ferry",
            args.bind
        ));
    }
    let options = ferry_server::ServeOptions { db: global.db.clone(), bind: args.bind };
    ferry_server::serve(&options, |addr| {
        // On stdout, so that scripts can read the address (with port 0 too).
        println!("ferry workspace on http://{addr}/ (store `{}`)", global.db.display());
        printer.info("sign in with a user of `ferry users add`; stop with Ctrl-C");
    })
    .map_err(|e| match e {
        ferry_server::Error::Bind { .. } => {
            crate::hint(e, "choose another address or port with `--bind ADDR:PORT` (port 0 picks a free one)")
        }
        ferry_server::Error::Runner(e) => crate::store::runner_error(e),
        e => e.into(),
    })?;
    Ok(Outcome::Success)
}
