//! The parser, the rates, the cells and the chart, natively, on reports shaped like Chrome's.
//!
//! Over 300 lines: a test suite, one independent test per figure.
//!
//! Over 150 lines as a file, but it is a list of independent tests, each short, that share one report fixture at
//! the top.

use super::*;

fn stats(kind: &str, id: &str, timestamp: f64, fields: &[(&'static str, Value)]) -> RawStats {
    RawStats {
        kind: kind.into(),
        id: id.into(),
        timestamp,
        fields: fields.to_vec(),
    }
}

fn n(value: f64) -> Value {
    Value::Number(value)
}

fn t(text: &str) -> Value {
    Value::Text(text.into())
}

/// A report as Chrome gives it for a connection that sends audio and video and receives video, at `time`
/// ms, with `bytes` sent and received and `frames` encoded and decoded so far.
fn report(time: f64, bytes: f64, frames: f64) -> Vec<RawStats> {
    vec![
        stats("codec", "COT01_96", time, &[("mimeType", t("video/VP8"))]),
        stats("codec", "COT01_111", time, &[("mimeType", t("audio/opus"))]),
        stats("codec", "CIT01_96", time, &[("mimeType", t("video/VP8"))]),
        stats(
            "outbound-rtp",
            "OT01V1",
            time,
            &[
                ("kind", t("video")),
                ("codecId", t("COT01_96")),
                ("bytesSent", n(bytes)),
                ("framesEncoded", n(frames)),
                ("frameWidth", n(640.0)),
                ("frameHeight", n(480.0)),
            ],
        ),
        stats(
            "outbound-rtp",
            "OT01A2",
            time,
            &[
                ("kind", t("audio")),
                ("codecId", t("COT01_111")),
                ("bytesSent", n(bytes / 10.0)),
            ],
        ),
        stats(
            "remote-inbound-rtp",
            "RI1",
            time,
            &[
                ("localId", t("OT01V1")),
                ("packetsLost", n(3.0)),
                ("jitter", n(0.002)),
            ],
        ),
        stats(
            "inbound-rtp",
            "IT01V3",
            time,
            &[
                ("kind", t("video")),
                ("codecId", t("CIT01_96")),
                ("bytesReceived", n(bytes)),
                ("framesDecoded", n(frames)),
                ("frameWidth", n(320.0)),
                ("frameHeight", n(240.0)),
                ("packetsLost", n(1.0)),
                ("jitter", n(0.004)),
            ],
        ),
        stats(
            "transport",
            "T01",
            time,
            &[("selectedCandidatePairId", t("CPb"))],
        ),
        stats(
            "candidate-pair",
            "CPa",
            time,
            &[
                ("state", t("failed")),
                ("localCandidateId", t("Ia")),
                ("remoteCandidateId", t("Ib")),
            ],
        ),
        stats(
            "candidate-pair",
            "CPb",
            time,
            &[
                ("state", t("succeeded")),
                ("nominated", Value::Bool(true)),
                ("currentRoundTripTime", n(0.0125)),
                ("localCandidateId", t("Ic")),
                ("remoteCandidateId", t("Id")),
            ],
        ),
        stats(
            "local-candidate",
            "Ia",
            time,
            &[("candidateType", t("relay"))],
        ),
        stats(
            "remote-candidate",
            "Ib",
            time,
            &[("candidateType", t("relay"))],
        ),
        stats(
            "local-candidate",
            "Ic",
            time,
            &[("candidateType", t("host"))],
        ),
        stats(
            "remote-candidate",
            "Id",
            time,
            &[("candidateType", t("srflx"))],
        ),
    ]
}

#[test]
fn a_report_is_parsed_into_streams_codecs_and_the_selected_pair() {
    let snapshot = Snapshot::parse(0, &report(1000.0, 5000.0, 30.0));
    assert_eq!(snapshot.sent.len(), 2);
    assert_eq!(snapshot.received.len(), 1);
    let video = &snapshot.sent[0];
    assert_eq!(video.media, Media::Video);
    assert_eq!(video.codec.as_deref(), Some("VP8"));
    assert_eq!(video.size, Some((640, 480)));
    assert_eq!(video.packets_lost, Some(3.0), "from the far end's report");
    assert_eq!(snapshot.sent[1].codec.as_deref(), Some("opus"));
    assert_eq!(snapshot.sent[1].packets_lost, None);
    assert_eq!(snapshot.received[0].jitter, Some(0.004));
    assert_eq!(
        snapshot.pair,
        Some(CandidatePair {
            round_trip: Some(0.0125),
            local: Some("host".into()),
            remote: Some("srflx".into()),
        })
    );
}

#[test]
fn without_a_transport_the_nominated_succeeded_pair_is_used() {
    let mut raw = report(1000.0, 5000.0, 30.0);
    raw.retain(|s| s.kind != "transport");
    let pair = Snapshot::parse(0, &raw).pair.unwrap();
    assert_eq!(pair.local.as_deref(), Some("host"));
    // Firefox marks it `selected`.
    let raw = vec![
        stats(
            "candidate-pair",
            "p",
            0.0,
            &[
                ("selected", Value::Bool(true)),
                ("localCandidateId", t("l")),
            ],
        ),
        stats(
            "local-candidate",
            "l",
            0.0,
            &[("candidateType", t("prflx"))],
        ),
    ];
    assert_eq!(
        Snapshot::parse(0, &raw).pair.unwrap().local.as_deref(),
        Some("prflx")
    );
    assert_eq!(Snapshot::parse(0, &[]).pair, None);
}

#[test]
fn odd_objects_are_left_out_without_panicking() {
    let raw = vec![
        stats("outbound-rtp", "no-kind", 0.0, &[("bytesSent", n(1.0))]),
        stats("inbound-rtp", "no-bytes", 0.0, &[("kind", t("video"))]),
        stats(
            "inbound-rtp",
            "nan",
            0.0,
            &[("kind", t("video")), ("bytesReceived", n(f64::NAN))],
        ),
        stats(
            "outbound-rtp",
            "bad-codec",
            0.0,
            &[
                ("kind", t("audio")),
                ("bytesSent", n(1.0)),
                ("codecId", t("x")),
            ],
        ),
        stats("candidate-pair", "p", 0.0, &[("nominated", t("yes"))]),
    ];
    let snapshot = Snapshot::parse(0, &raw);
    assert_eq!(snapshot.sent.len(), 1);
    assert_eq!(snapshot.sent[0].codec, None);
    assert!(snapshot.received.is_empty());
    assert_eq!(snapshot.pair, None);
}

#[test]
fn rate_needs_time_to_pass_and_counters_to_grow() {
    assert_eq!(rate((1000.0, 0.0), (2000.0, 125_000.0)), Some(125_000.0));
    assert_eq!(rate((1000.0, 10.0), (1500.0, 10.0)), Some(0.0));
    assert_eq!(
        rate((1000.0, 10.0), (1000.0, 20.0)),
        None,
        "clock did not move"
    );
    assert_eq!(
        rate((2000.0, 10.0), (1000.0, 20.0)),
        None,
        "clock went back"
    );
    assert_eq!(rate((1000.0, 50.0), (2000.0, 20.0)), None, "counter reset");
    assert_eq!(rate((1000.0, 0.0), (2000.0, f64::INFINITY)), None);
}

#[test]
fn the_first_report_has_no_rates_but_everything_else() {
    let now = Snapshot::parse(0, &report(1000.0, 5000.0, 30.0));
    let figures = Figures::between(None, &now);
    let sent = figures.sent.as_ref().unwrap();
    assert_eq!(
        (sent.video_kbps, sent.audio_kbps, sent.fps),
        (None, None, None)
    );
    assert_eq!(sent.size, Some((640, 480)));
    assert_eq!(sent.video_codec.as_deref(), Some("VP8"));
    assert_eq!(figures.rtt_ms, Some(12.5));
    assert_eq!(figures.local_candidate.as_deref(), Some("host"));
    assert_eq!(figures.remote_candidate.as_deref(), Some("srflx"));
    assert_eq!(figures.sample().kbps, None);
}

#[test]
fn rates_come_from_the_deltas_between_two_reports() {
    let before = Snapshot::parse(0, &report(1000.0, 5000.0, 30.0));
    let now = Snapshot::parse(0, &report(3000.0, 255_000.0, 90.0));
    let figures = Figures::between(Some(&before), &now);
    let sent = figures.sent.unwrap();
    // 250 000 bytes in 2 s: 1 000 kbit/s; audio a tenth of it.
    assert_eq!(sent.video_kbps, Some(1000.0));
    assert_eq!(sent.audio_kbps, Some(100.0));
    assert_eq!(sent.fps, Some(30.0));
    assert_eq!(sent.packets_lost, Some(3.0));
    assert_eq!(sent.jitter_ms, Some(2.0));
    let received = figures.received.unwrap();
    assert_eq!(received.video_kbps, Some(1000.0));
    assert_eq!(received.audio_kbps, None, "no audio received");
    assert_eq!(received.size, Some((320, 240)));
    assert_eq!(received.jitter_ms, Some(4.0));
}

#[test]
fn a_reset_counter_or_a_stuck_clock_gives_no_rate() {
    let before = Snapshot::parse(0, &report(1000.0, 900_000.0, 300.0));
    let reset = Snapshot::parse(0, &report(2000.0, 1000.0, 30.0));
    let sent = Figures::between(Some(&before), &reset).sent.unwrap();
    assert_eq!((sent.video_kbps, sent.fps), (None, None));
    let stuck = Snapshot::parse(0, &report(1000.0, 950_000.0, 330.0));
    let sent = Figures::between(Some(&before), &stuck).sent.unwrap();
    assert_eq!((sent.video_kbps, sent.fps), (None, None));
}

#[test]
fn several_streams_add_up_and_the_largest_is_the_main_one() {
    // Simulcast: three video streams, the largest second.
    let stream = |id: &str, bytes: f64, frames: f64, width: f64| {
        stats(
            "outbound-rtp",
            id,
            0.0,
            &[
                ("kind", t("video")),
                ("bytesSent", n(bytes)),
                ("framesEncoded", n(frames)),
                ("frameWidth", n(width)),
                ("frameHeight", n(width / 2.0)),
            ],
        )
    };
    let at = |time: f64, scale: f64| {
        let mut raw = vec![
            stream("low", 1000.0 * scale, 10.0 * scale, 160.0),
            stream("high", 10_000.0 * scale, 30.0 * scale, 1280.0),
            stream("mid", 3000.0 * scale, 20.0 * scale, 640.0),
        ];
        for s in &mut raw {
            s.timestamp = time;
        }
        raw
    };
    let before = Snapshot::parse(0, &at(0.0, 1.0));
    let now = Snapshot::parse(0, &at(1000.0, 2.0));
    let sent = Figures::between(Some(&before), &now).sent.unwrap();
    assert_eq!(sent.video_kbps, Some(112.0));
    assert_eq!(sent.size, Some((1280, 640)));
    assert_eq!(sent.fps, Some(30.0));
}

#[test]
fn merged_connections_keep_their_streams_apart() {
    // The demo: pc1 sends, pc2 receives, and both use the same stats ids.
    let sender = |time: f64, bytes: f64| {
        let mut raw = report(time, bytes, 0.0);
        raw.retain(|s| s.kind != "inbound-rtp");
        Snapshot::parse(0, &raw)
    };
    let receiver = |time: f64, bytes: f64| {
        let mut raw = report(time, bytes, 0.0);
        raw.retain(|s| {
            !s.kind.ends_with("bound-rtp") && s.kind != "transport" && s.kind != "candidate-pair"
        });
        raw.push(stats(
            "inbound-rtp",
            "OT01V1",
            time,
            &[("kind", t("video")), ("bytesReceived", n(bytes / 2.0))],
        ));
        Snapshot::parse(1, &raw)
    };
    let before = Snapshot::merge([sender(0.0, 1000.0), receiver(0.0, 1000.0)]);
    let now = Snapshot::merge([sender(1000.0, 2000.0), receiver(1000.0, 2000.0)]);
    assert!(now.pair.is_some(), "the pair comes from either");
    let figures = Figures::between(Some(&before), &now);
    assert_eq!(figures.sent.unwrap().video_kbps, Some(8.0));
    assert_eq!(figures.received.unwrap().video_kbps, Some(4.0));
}

#[test]
fn cells_are_formatted_without_float_formatting() {
    let direction = Direction {
        video_kbps: Some(1234.6),
        audio_kbps: Some(31.2),
        fps: Some(29.97),
        size: Some((640, 480)),
        packets_lost: Some(-2.0),
        jitter_ms: Some(2.14),
        video_codec: Some("VP8".into()),
        audio_codec: Some("opus".into()),
    };
    let cells: Vec<_> = (0..ROWS.len()).map(|row| cell(&direction, row)).collect();
    let expected = [
        "1235 kbit/s",
        "31 kbit/s",
        "30 fps",
        "640\u{d7}480",
        "0",
        "2.1 ms",
        "VP8, opus",
    ];
    assert_eq!(cells, expected.map(|s| Some(s.to_owned())));
    assert_eq!(cell(&Direction::default(), 0), None);
    assert_eq!(cell(&Direction::default(), 6), None);
}

#[test]
fn scales_end_on_round_numbers() {
    assert_eq!(nice_ceiling(0.0, 100.0), 100.0);
    assert_eq!(nice_ceiling(130.0, 100.0), 200.0);
    assert_eq!(nice_ceiling(1234.0, 100.0), 2000.0);
    assert_eq!(nice_ceiling(2000.0, 100.0), 2000.0);
    assert_eq!(nice_ceiling(2001.0, 100.0), 5000.0);
    assert_eq!(nice_ceiling(0.4, 1.0), 1.0);
    assert_eq!(nice_ceiling(f64::NAN, 1.0), 1.0);
    assert_eq!(nice_ceiling(f64::INFINITY, 1.0), 1.0);
}

#[test]
fn history_keeps_a_minute_and_draws_it_right_aligned() {
    let mut history = History::default();
    assert_eq!(history.chart().kbps, "");
    history.push(Sample {
        kbps: None,
        received: true,
        rtt_ms: Some(1.0),
    });
    history.push(Sample {
        kbps: Some(500.0),
        received: true,
        rtt_ms: Some(2.0),
    });
    history.push(Sample {
        kbps: Some(1000.0),
        received: true,
        rtt_ms: None,
    });
    let chart = history.chart();
    assert_eq!(chart.kbps_max, 1000.0);
    assert_eq!(chart.rtt_max, 2.0);
    assert_eq!(chart.kbps, "580,50 590,0", "a gap where there is no value");
    assert_eq!(chart.rtt, "570,50 580,0");
    assert!(chart.received);

    for i in 0..100 {
        history.push(Sample {
            kbps: Some(f64::from(i)),
            received: false,
            rtt_ms: None,
        });
    }
    assert_eq!(history.len(), History::LIMIT);
    let chart = history.chart();
    assert!(!chart.received);
    assert_eq!(chart.rtt, "", "older samples are gone");
    assert!(chart.kbps.starts_with("0,"));
    assert!(chart.kbps.ends_with(&format!("{CHART_WIDTH},1")));
    assert_eq!(chart.kbps.split(' ').count(), History::LIMIT);
}
