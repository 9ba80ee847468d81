//! The summary of a run, as `ha-sim run --summary` prints it (SCENARIOS.md):
//! who holds each lease as stored in etcd, etcd's leader and quorum, which API
//! servers are ready, which backends HAProxy has UP, the workload's desired
//! and running pods, and the trace hash.

use std::fmt::Write as _;

use crate::cluster::ProcessKind;
use crate::event::json_string;
use crate::sim::Sim;

/// The leases the summary reports, by name in `kube-system`.
pub const LEASES: [&str; 2] = ["kube-controller-manager", "kube-scheduler"];

/// The summary as JSON. `pretty` puts one field on each line (the goldens);
/// otherwise it is one line.
pub fn summary_json(sim: &Sim, pretty: bool) -> String {
    let (nl, ind, ind2) = if pretty {
        ("\n", "  ", "    ")
    } else {
        ("", "", "")
    };
    let sp = if pretty { " " } else { "" };
    let mut out = String::new();
    let _ = write!(
        out,
        "{{{nl}{ind}\"t_ms\":{sp}{},{nl}",
        sim.now().as_millis()
    );

    let _ = write!(out, "{ind}\"leases\":{sp}{{{nl}");
    for (i, name) in LEASES.iter().enumerate() {
        let record = sim.lease_record(name);
        let (holder_node, identity, transitions) = match &record {
            Some((lease, _)) => (
                lease.holder_node().map(str::to_owned),
                lease.holder_identity.clone(),
                lease.lease_transitions,
            ),
            None => (None, String::new(), 0),
        };
        let _ = write!(
            out,
            "{ind2}\"kube-system/{name}\":{sp}{{\"holder_node\":{sp}"
        );
        match holder_node {
            Some(node) => json_string(&mut out, &node),
            None => out.push_str("null"),
        }
        let _ = write!(out, ",{sp}\"holder_identity\":{sp}");
        json_string(&mut out, &identity);
        let _ = write!(out, ",{sp}\"lease_transitions\":{sp}{transitions}}}");
        out.push_str(if i + 1 < LEASES.len() { "," } else { "" });
        out.push_str(nl);
    }
    let _ = write!(out, "{ind}}},{nl}");

    let leader = sim.etcd_leader();
    let term = leader.map(|(_, t)| t).unwrap_or_else(|| {
        (0..sim.etcd_member_processes().len())
            .filter_map(|m| sim.etcd_hard_state(m).map(|h| h.term))
            .max()
            .unwrap_or(0)
    });
    let _ = write!(out, "{ind}\"etcd\":{sp}{{\"leader\":{sp}");
    match leader {
        Some((member, _)) => {
            let proc = sim.etcd_member_processes()[member];
            json_string(&mut out, &sim.nodes()[sim.processes()[proc].node].name);
        }
        None => out.push_str("null"),
    }
    let _ = write!(
        out,
        ",{sp}\"term\":{sp}{term},{sp}\"quorum\":{sp}{},{sp}\"members_up\":{sp}{},{sp}\"members\":{sp}{}}},{nl}",
        sim.etcd_has_quorum(),
        sim.etcd_members_up(),
        sim.etcd_member_processes().len()
    );

    let healthy: Vec<&str> = sim
        .processes()
        .iter()
        .enumerate()
        .filter(|(id, p)| {
            p.kind == ProcessKind::KubeApiserver && sim.apiserver(*id).is_some_and(|a| a.is_ready())
        })
        .map(|(_, p)| &*sim.nodes()[p.node].name)
        .collect();
    let _ = write!(out, "{ind}\"apiservers_healthy\":{sp}");
    string_array(&mut out, healthy.iter().copied(), sp);
    let _ = write!(out, ",{nl}");

    let up = sim.haproxy().map(|h| h.up_backends()).unwrap_or_default();
    let _ = write!(out, "{ind}\"lb_backends_up\":{sp}");
    string_array(&mut out, up.iter().map(|s| &**s), sp);
    let _ = write!(out, ",{nl}");

    let desired = sim.pods_desired();
    let _ = write!(
        out,
        "{ind}\"pods\":{sp}{{\"desired\":{sp}{desired},{sp}\"running\":{sp}{},{sp}\"created\":{sp}{},{sp}\"deleted\":{sp}{}}},{nl}",
        sim.pods_running(),
        sim.pods_created(),
        sim.pods_deleted()
    );
    let _ = write!(out, "{ind}\"kubectl\":{sp}{{\"server\":{sp}");
    json_string(&mut out, sim.kubectl_server());
    let ok = sim.kubectl().and_then(|k| k.probe_ok);
    let _ = write!(
        out,
        ",{sp}\"ok\":{sp}{}}},{nl}",
        ok.map_or("null".to_owned(), |b| b.to_string())
    );
    let _ = write!(out, "{ind}\"trace_hash\":{sp}");
    json_string(&mut out, &sim.trace_hash());
    let _ = write!(out, "{nl}}}");
    out
}

fn string_array<'a>(out: &mut String, items: impl Iterator<Item = &'a str>, sp: &str) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
            out.push_str(sp);
        }
        json_string(out, item);
    }
    out.push(']');
}
