//! The Kubernetes control plane on top of etcd, as kubeadm builds an HA
//! cluster (FIDELITY.md §1, §2, §4–§8): kube-apiserver on every master,
//! HAProxy in front of them, kube-controller-manager and kube-scheduler
//! electing leaders through Leases, the kubelets, and the learner's kubectl.

pub mod api;
pub mod apiserver;
pub mod controller_manager;
pub mod haproxy;
pub mod kubectl;
pub mod kubelet;
pub mod leaderelection;
pub mod objects;
pub mod scheduler;

use crate::engine::ProcId;
use crate::time::SimTime;

/// Timers of the control-plane components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeTimer {
    /// The earliest deadline of the calls of the client whose request ids
    /// start at `client`, scheduled for `at`.
    CallTimeout { client: u64, at: SimTime },
    /// A leader elector's next `tryAcquireOrRenew`, scheduled for `at`.
    ElectorAttempt { at: SimTime },
    /// The end of a renew poll, scheduled for `at`.
    ElectorRenewDeadline { at: SimTime },
    /// kube-apiserver: time for the next etcd health probe.
    HealthProbe,
    /// kube-apiserver: check that its etcd watch is still alive.
    WatchKeepalive,
    /// kube-apiserver: the earliest etcd request deadline, scheduled for `at`.
    EtcdCallTimeout { at: SimTime },
    /// HAProxy: backend `backend`'s next check, or its check's timeout, due at `at`.
    BackendCheck { backend: u8, at: SimTime },
    /// HAProxy: the earliest forwarded connection's deadline, scheduled for `at`.
    ConnectionTimeout { at: SimTime },
    /// kube-controller-manager: the controllers' sync loop.
    ControllerSync,
    /// kube-controller-manager: the node lifecycle controller's monitor loop.
    NodeMonitor,
    /// kube-controller-manager / kube-scheduler: informers and controllers
    /// are up after winning the election.
    ControllersStarted,
    /// kube-scheduler: the scheduling loop.
    SchedulerSync,
    /// kubelet: renew the node Lease.
    NodeLeaseRenew,
    /// kubelet: sync the node's status.
    NodeSync,
    /// kubelet: sync the pods bound to the node.
    PodSync,
    /// kubelet: probe static pod `proc`.
    Probe { proc: ProcId },
    /// kubelet: a container of pod slot `slot` has started.
    ContainerStarted { slot: u32 },
    /// kubectl on the learner's laptop: the next `kubectl get pods`.
    KubectlProbe,
    /// kubectl / etcd watch progress notifications (etcd member side).
    WatchProgress,
}
