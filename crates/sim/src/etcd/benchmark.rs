//! A steady write load on etcd, like etcd's own `benchmark put --rate`: a
//! client on the learner's laptop that writes one key every interval, to the
//! members in turn (clientv3's round-robin). Tests read what it saw to check
//! that acknowledged writes are never lost; the engine benchmark uses it as
//! the load.

use std::rc::Rc;

use crate::engine::{Ctx, Msg, ProcId, Timer};
use crate::etcd::kv::{KvOp, KvResult};
use crate::etcd::server::EtcdError;
use crate::time::{SimDuration, SimTime};

/// What the benchmark client does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchmarkConfig {
    /// One put every this often.
    pub interval: SimDuration,
    /// Keys cycle through `/bench/0` .. `/bench/{keys-1}`.
    pub keys: u32,
}

/// How one write ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOutcome {
    pub sent: SimTime,
    pub done: SimTime,
    /// The member (index) the client sent it to.
    pub member: u8,
    pub key: Rc<str>,
    pub value: Rc<str>,
    /// The revision the write created, or the error the client saw.
    pub result: Result<i64, String>,
}

/// Timers of the benchmark client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchmarkTimer {
    /// Time for the next put.
    Next,
    /// The oldest request in flight reaches its context deadline.
    GiveUp,
}

#[derive(Clone, Debug)]
struct InFlight {
    id: u64,
    sent: SimTime,
    member: u8,
    key: Rc<str>,
    value: Rc<str>,
}

/// The running benchmark client.
#[derive(Clone, Debug)]
pub struct Benchmark {
    config: BenchmarkConfig,
    members: Rc<[ProcId]>,
    next_id: u64,
    next_member: usize,
    give_up_after: SimDuration,
    in_flight: Vec<InFlight>,
    give_up_at: Option<SimTime>,
    /// Every write that has ended, in the order they ended.
    pub outcomes: Vec<WriteOutcome>,
}

impl Benchmark {
    /// Starts the load; the first put goes out after one interval.
    pub fn start(
        ctx: &mut Ctx,
        config: BenchmarkConfig,
        members: Rc<[ProcId]>,
        request_timeout: SimDuration,
    ) -> Benchmark {
        ctx.set_timer(
            ctx.now + config.interval,
            Timer::Benchmark(BenchmarkTimer::Next),
        );
        Benchmark {
            config,
            members,
            next_id: 1,
            next_member: 0,
            // Longer than etcd's own request timeout, so that the server's
            // error, not the client's deadline, is what the client sees.
            give_up_after: request_timeout + SimDuration::from_secs(1),
            in_flight: Vec::new(),
            give_up_at: None,
            outcomes: Vec::new(),
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx, timer: BenchmarkTimer) {
        match timer {
            BenchmarkTimer::Next => {
                self.put(ctx);
                ctx.set_timer(
                    ctx.now + self.config.interval,
                    Timer::Benchmark(BenchmarkTimer::Next),
                );
            }
            BenchmarkTimer::GiveUp => {
                self.give_up_at = None;
                // Requests go out in order, so the expired ones are the oldest.
                while let Some(oldest) = self.in_flight.first()
                    && oldest.sent + self.give_up_after <= ctx.now
                {
                    let id = oldest.id;
                    self.finish(ctx.now, id, Err("context deadline exceeded".to_owned()));
                }
                self.arm_give_up(ctx);
            }
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx, msg: Msg) {
        if let Msg::EtcdResponse { id, result } = msg {
            let result = match result {
                Ok(KvResult::Put { revision }) => Ok(revision),
                Ok(other) => Err(format!("unexpected response {other:?}")),
                Err(error) => Err(error_text(&error)),
            };
            self.finish(ctx.now, id, result);
        }
    }

    fn put(&mut self, ctx: &mut Ctx) {
        let id = self.next_id;
        self.next_id += 1;
        let member = self.next_member % self.members.len();
        self.next_member += 1;
        let key: Rc<str> = format!("/bench/{}", id % u64::from(self.config.keys.max(1))).into();
        // With at least as many keys as writes, every write is distinct.
        let value = key.clone();
        ctx.send(
            self.members[member],
            Msg::EtcdRequest {
                id,
                op: KvOp::Put {
                    key: key.clone(),
                    value: value.clone(),
                },
            },
        );
        self.in_flight.push(InFlight {
            id,
            sent: ctx.now,
            member: member as u8,
            key,
            value,
        });
        self.arm_give_up(ctx);
    }

    /// Keeps one timer at the oldest request's deadline.
    fn arm_give_up(&mut self, ctx: &mut Ctx) {
        let Some(oldest) = self.in_flight.first() else {
            return;
        };
        let due = oldest.sent + self.give_up_after;
        if self.give_up_at.is_none_or(|at| due < at) {
            self.give_up_at = Some(due);
            ctx.set_timer(due, Timer::Benchmark(BenchmarkTimer::GiveUp));
        }
    }

    fn finish(&mut self, now: SimTime, id: u64, result: Result<i64, String>) {
        let Some(pos) = self.in_flight.iter().position(|r| r.id == id) else {
            return; // already finished
        };
        let request = self.in_flight.remove(pos);
        self.outcomes.push(WriteOutcome {
            sent: request.sent,
            done: now,
            member: request.member,
            key: request.key,
            value: request.value,
            result,
        });
    }
}

fn error_text(error: &EtcdError) -> String {
    error.message().to_owned()
}
