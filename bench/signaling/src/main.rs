//! `signaling-bench`: a load generator for signaling servers (this one, peerjs-server, matchbox_server).
//!
//! Over 300 lines: the four modes share one set of counters and one report; the servers' protocols are in servers.rs.
//!
//! - `idle`: holds N connections (rooms of two) and reports the server's memory per connection;
//! - `rate`: pairs relay ~1 KB signals at a fixed total rate; reports relay latency percentiles and the
//!   server's CPU per relayed message;
//! - `closed`: each sender keeps K signals in flight (the receiver echoes each back); reports the maximum
//!   relayed per second and per server CPU-second.
//!
//! Run it pinned to another CPU than the server's (`taskset`), as `scripts/bench-signaling.sh` does. Figures are
//! printed as one line per run; nothing here fails on a timing.

mod server;
mod servers;

use std::{
    cell::RefCell,
    rc::Rc,
    time::{Duration, Instant},
};

use clap::{Parser, Subcommand};
use futures_util::{FutureExt, SinkExt, StreamExt};
use server::{usage, Percentiles, Usage};
use servers::{body, sent_micros, Client, Kind};
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Args {
    /// Which server's protocol to speak.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The server's base address (`ws://127.0.0.1:8080`); give two to split each pair across two instances.
    #[arg(long = "url", required = true)]
    urls: Vec<String>,
    /// The server processes, for CPU time and memory from /proc.
    #[arg(long = "pid")]
    pids: Vec<u32>,
    /// A label for the printed line (defaults to the kind).
    #[arg(long)]
    label: Option<String>,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Hold idle connections and report the server's memory per connection.
    Idle {
        #[arg(long, default_value_t = 1000)]
        connections: usize,
        /// How long to hold them before reading the memory.
        #[arg(long, default_value_t = 2)]
        hold: u64,
    },
    /// Relay at a fixed total rate and report latency.
    Rate {
        #[arg(long, default_value_t = 500)]
        pairs: usize,
        /// Signals per second, in all.
        #[arg(long, default_value_t = 5000)]
        rate: u32,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Bytes of SDP per signal.
        #[arg(long, default_value_t = 1000)]
        size: usize,
    },
    /// Keep signals in flight and report the most relayed.
    Closed {
        #[arg(long, default_value_t = 500)]
        pairs: usize,
        #[arg(long, default_value_t = 16)]
        in_flight: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 1000)]
        size: usize,
    },
    /// Senders far faster than readers: A sends as fast as it can, B never reads. Reports the server's peak
    /// memory and how many readers it cut off.
    Flood {
        #[arg(long, default_value_t = 50)]
        pairs: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 1000)]
        size: usize,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // The pairs' tasks share counters through Rc: they all run on this one thread.
    tokio::task::LocalSet::new()
        .run_until(run(Args::parse()))
        .await;
}

async fn run(args: Args) {
    let label = args
        .label
        .clone()
        .unwrap_or_else(|| format!("{:?}", args.kind).to_lowercase());
    let result = match args.mode {
        Mode::Idle { connections, hold } => idle(&args, connections, hold).await,
        Mode::Rate {
            pairs,
            rate,
            seconds,
            size,
        } => fixed_rate(&args, pairs, rate, seconds, size).await,
        Mode::Closed {
            pairs,
            in_flight,
            seconds,
            size,
        } => closed_loop(&args, pairs, in_flight, seconds, size).await,
        Mode::Flood {
            pairs,
            seconds,
            size,
        } => flood(&args, pairs, seconds, size).await,
    };
    match result {
        Ok(Report { line, values }) => {
            println!("{label}: {line}");
            // The same figures for scripts: `@ label key=value ...`.
            let values: Vec<String> = values
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            println!("@ {label} {}", values.join(" "));
        }
        Err(error) => {
            eprintln!("{label}: failed: {error}");
            std::process::exit(1);
        }
    }
}

/// What a run measured: a sentence for people, and the figures by name for scripts.
struct Report {
    line: String,
    values: Vec<(&'static str, String)>,
}

/// The summed usage of every server process.
fn usage_of(pids: &[u32]) -> Option<Usage> {
    pids.iter().map(|&pid| usage(pid)).try_fold(
        Usage {
            cpu: Duration::ZERO,
            rss_kib: 0,
        },
        |sum, one| {
            let one = one?;
            Some(Usage {
                cpu: sum.cpu + one.cpu,
                rss_kib: sum.rss_kib + one.rss_kib,
            })
        },
    )
}

/// A tag for this run's rooms and ids, so that two runs against one server never meet.
fn run_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{:x}{nanos:x}", std::process::id())
}

async fn idle(args: &Args, connections: usize, hold: u64) -> Result<Report, String> {
    let before = usage_of(&args.pids);
    let tag = run_tag();
    let mut held = Vec::with_capacity(connections);
    for n in 0..connections {
        let url = &args.urls[n % args.urls.len()];
        held.push(
            args.kind
                .connect(url, &format!("i{tag}r{}", n / 2), n % 2)
                .await?,
        );
    }
    tokio::time::sleep(Duration::from_secs(hold)).await;
    let after = usage_of(&args.pids);
    let mut values = vec![("connections", held.len().to_string())];
    let memory = match (before, after) {
        (Some(before), Some(after)) => {
            let per_connection =
                after.rss_kib.saturating_sub(before.rss_kib) as f64 / connections as f64;
            let rss = after.rss_kib as f64 / 1024.0;
            values.push(("kib_per_connection", format!("{per_connection:.2}")));
            values.push(("rss_mib", format!("{rss:.1}")));
            format!("; server RSS {rss:.1} MiB, {per_connection:.2} KiB per connection")
        }
        _ => String::new(),
    };
    let line = format!("{} idle connections held{memory}", held.len());
    Ok(Report { line, values })
}

/// `pairs` pairs, A on the first address and B on the next (or the same), in rooms of their own.
async fn pairs_of(args: &Args, pairs: usize) -> Result<Vec<(Client, Client)>, String> {
    let tag = run_tag();
    let mut all = Vec::with_capacity(pairs);
    for p in 0..pairs {
        let room = format!("p{tag}r{p}");
        let a = args.kind.connect(&args.urls[0], &room, 0).await?;
        let b = args
            .kind
            .connect(&args.urls[1 % args.urls.len()], &room, 1)
            .await?;
        all.push((a, b));
    }
    Ok(all)
}

fn micros_since(start: Instant) -> u64 {
    start.elapsed().as_micros() as u64
}

async fn fixed_rate(
    args: &Args,
    pairs: usize,
    rate: u32,
    seconds: u64,
    size: usize,
) -> Result<Report, String> {
    let kind = args.kind;
    let all = pairs_of(args, pairs).await?;
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    // Each sender sends every `period`; senders start spread over one period.
    let period = Duration::from_secs_f64(pairs as f64 / f64::from(rate));
    let latencies = Rc::new(RefCell::new(Vec::with_capacity(
        rate as usize * seconds as usize,
    )));
    let before = usage_of(&args.pids);
    let mut tasks = Vec::new();
    for (p, (a, b)) in all.into_iter().enumerate() {
        let (mut a_sink, mut a_stream) = a.ws.split();
        let (_b_sink, mut b_stream) = b.ws.split();
        let to = b.id;
        let offset = period.mul_f64(p as f64 / pairs as f64);
        tasks.push(tokio::task::spawn_local(async move {
            tokio::time::sleep(offset).await;
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            while Instant::now() < end {
                tick.tick().await;
                let text = kind.signal(&to, &body(micros_since(start), size));
                if a_sink.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
            // Keep A's connection open (and read) until the receivers are done.
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                while a_stream.next().await.is_some() {}
            })
            .await;
        }));
        let latencies = latencies.clone();
        tasks.push(tokio::task::spawn_local(async move {
            let deadline = end + Duration::from_secs(1);
            while let Ok(Some(Ok(message))) =
                tokio::time::timeout_at(deadline.into(), b_stream.next()).await
            {
                if let Some(sent) = message.to_text().ok().and_then(sent_micros) {
                    latencies
                        .borrow_mut()
                        .push(micros_since(start).saturating_sub(sent));
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let after = usage_of(&args.pids);
    let latencies = std::mem::take(&mut *latencies.borrow_mut());
    let p = Percentiles::of(latencies).ok_or("no signal was relayed")?;
    let ms = |micros: u64| micros as f64 / 1000.0;
    let (cpu, mut values) = cost(before, after, p.count, seconds as f64);
    let line = format!(
        "{pairs} pairs at {rate}/s for {seconds} s: {} relayed ({:.0}/s); latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms{cpu}",
        p.count,
        p.count as f64 / seconds as f64,
        ms(p.p50),
        ms(p.p90),
        ms(p.p99),
        ms(p.max)
    );
    values.extend([
        ("relayed", p.count.to_string()),
        ("p50_ms", format!("{:.2}", ms(p.p50))),
        ("p90_ms", format!("{:.2}", ms(p.p90))),
        ("p99_ms", format!("{:.2}", ms(p.p99))),
        ("max_ms", format!("{:.2}", ms(p.max))),
    ]);
    Ok(Report { line, values })
}

/// The server's CPU per relayed message, and its memory, between two readings over `elapsed` seconds.
fn cost(
    before: Option<Usage>,
    after: Option<Usage>,
    relayed: usize,
    elapsed: f64,
) -> (String, Vec<(&'static str, String)>) {
    let (Some(before), Some(after)) = (before, after) else {
        return (String::new(), Vec::new());
    };
    let cpu = (after.cpu - before.cpu).as_secs_f64();
    let per_cpu_second = if cpu > 0.0 {
        format!("{:.0}", relayed as f64 / cpu)
    } else {
        "n/a".into()
    };
    let busy = 100.0 * cpu / elapsed;
    let rss = after.rss_kib as f64 / 1024.0;
    let line = format!("; server CPU {cpu:.2} s ({busy:.0} %, {per_cpu_second} relayed per CPU-second), RSS {rss:.1} MiB");
    let values = vec![
        ("per_cpu_second", per_cpu_second),
        ("cpu_percent", format!("{busy:.0}")),
        ("rss_mib", format!("{rss:.1}")),
    ];
    (line, values)
}

async fn closed_loop(
    args: &Args,
    pairs: usize,
    in_flight: usize,
    seconds: u64,
    size: usize,
) -> Result<Report, String> {
    let kind = args.kind;
    let all = pairs_of(args, pairs).await?;
    let start = Instant::now();
    let end: tokio::time::Instant = (start + Duration::from_secs(seconds)).into();
    let relayed = Rc::new(RefCell::new(0usize));
    let before = usage_of(&args.pids);
    let mut tasks = Vec::new();
    for (a, b) in all {
        // A sends K signals to B; B echoes each one back; each echo that reaches A lets A send one more. A signal
        // the server drops (a rate limit) lowers the pair's K for the rest of the run; nothing waits past `end`.
        let to_b = Message::text(kind.signal(&b.id, &body(0, size)));
        let to_a = Message::text(kind.signal(&a.id, &body(0, size)));
        let (mut a_sink, mut a_stream) = a.ws.split();
        let (mut b_sink, mut b_stream) = b.ws.split();
        let counted = relayed.clone();
        tasks.push(tokio::task::spawn_local(async move {
            answer_until(end, &mut b_stream, &mut b_sink, &to_a, &counted).await;
        }));
        let counted = relayed.clone();
        tasks.push(tokio::task::spawn_local(async move {
            for _ in 0..in_flight {
                if a_sink.feed(to_b.clone()).await.is_err() {
                    return;
                }
            }
            if a_sink.flush().await.is_err() {
                return;
            }
            answer_until(end, &mut a_stream, &mut a_sink, &to_b, &counted).await;
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())?;
    }
    let after = usage_of(&args.pids);
    let relayed = *relayed.borrow();
    let elapsed = start.elapsed().as_secs_f64();
    let (cpu, mut values) = cost(before, after, relayed, elapsed);
    let per_second = relayed as f64 / elapsed;
    values.push(("per_second", format!("{per_second:.0}")));
    let line = format!("{pairs} pairs, {in_flight} in flight each, {seconds} s: {relayed} relayed, {per_second:.0}/s{cpu}");
    Ok(Report { line, values })
}

/// Until `end` (or the connection fails), answers every signal received with `reply` and counts it. Whatever
/// has already arrived is answered in one write, so that the load generator is not the bottleneck.
async fn answer_until(
    end: tokio::time::Instant,
    stream: &mut futures_util::stream::SplitStream<servers::Ws>,
    sink: &mut futures_util::stream::SplitSink<servers::Ws, Message>,
    reply: &Message,
    counted: &RefCell<usize>,
) {
    while let Ok(Some(Ok(first))) = tokio::time::timeout_at(end, stream.next()).await {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            if message.to_text().ok().and_then(sent_micros).is_some() {
                *counted.borrow_mut() += 1;
                if sink.feed(reply.clone()).await.is_err() {
                    return;
                }
            }
            if let Some(Some(Ok(message))) = stream.next().now_or_never() {
                next = Some(message);
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
}

async fn flood(args: &Args, pairs: usize, seconds: u64, size: usize) -> Result<Report, String> {
    let kind = args.kind;
    let all = pairs_of(args, pairs).await?;
    let before = usage_of(&args.pids);
    let end: tokio::time::Instant = (Instant::now() + Duration::from_secs(seconds)).into();
    let sent = Rc::new(RefCell::new(0usize));
    let mut readers = Vec::with_capacity(pairs);
    let mut tasks = Vec::new();
    for (a, b) in all {
        readers.push(b.ws);
        let text = Message::text(kind.signal(&b.id, &body(0, size)));
        let mut a_ws = a.ws;
        let sent = sent.clone();
        tasks.push(tokio::task::spawn_local(async move {
            // Until the end, or until the server stops reading (then the send waits) or closes A.
            while let Ok(Ok(())) = tokio::time::timeout_at(end, a_ws.send(text.clone())).await {
                *sent.borrow_mut() += 1;
            }
            a_ws
        }));
    }
    // The server's peak memory, read every 50 ms while the senders send.
    let mut peak_kib = before.map_or(0, |u| u.rss_kib);
    while tokio::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Some(now) = usage_of(&args.pids) {
            peak_kib = peak_kib.max(now.rss_kib);
        }
    }
    let mut senders = Vec::new();
    for task in tasks {
        senders.push(task.await.map_err(|e| e.to_string())?);
    }
    // Now read: a reader the server cut off ends (close frame or EOF) once its backlog is read. One that is
    // still open after 5 s of reading is counted as kept.
    let drained = Rc::new(RefCell::new(0usize));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let mut checks = Vec::new();
    for mut reader in readers {
        let drained = drained.clone();
        checks.push(tokio::task::spawn_local(async move {
            loop {
                match tokio::time::timeout_at(deadline, reader.next()).await {
                    Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return true,
                    Ok(Some(Ok(_))) => *drained.borrow_mut() += 1,
                    Err(_) => return false,
                }
            }
        }));
    }
    let mut cut = 0;
    for check in checks {
        cut += usize::from(check.await.map_err(|e| e.to_string())?);
    }
    drop(senders);
    let sent = *sent.borrow();
    let drained = *drained.borrow();
    let peak = peak_kib as f64 / 1024.0;
    let line = format!(
        "{pairs} pairs, {seconds} s of sending with nobody reading: {sent} sent, {drained} read afterwards; readers cut off by the server: {cut} of {pairs}; server peak RSS {peak:.1} MiB"
    );
    let values = vec![
        ("sent", sent.to_string()),
        ("cut", cut.to_string()),
        ("peak_mib", format!("{peak:.1}")),
    ];
    Ok(Report { line, values })
}
