"""DMS progress and scheduled tasks (apis.md §2.4–2.5): the simulator as the SDK reads it, and taskdeck."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from huaweicloudsdkkafka.v2 import ListScheduledTasksRequest, ShowBackgroundTaskProgressRequest
from huaweicloudsdkkafka.v2 import model as kafka_model
from huaweicloudsdkrabbitmq.v2 import ListScheduledTasksRequest as RabbitListScheduled
from huaweicloudsdkrabbitmq.v2 import RabbitMQClient
from huaweicloudsdkrocketmq.v2 import RocketMQClient
from huaweicloudsdkrocketmq.v2 import ShowBackgroundTaskProgressRequest as RocketProgress
from test_sdk_conformance import KafkaClient, check_model, instance_of, raw, sdk_client

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef, TaskSnapshot, TaskState
from tui.providers.dms import DmsProvider
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield


def running(sim: SimulatorProcess, engine: str, name: str, **plan: Any) -> tuple[str, str]:
    instance = instance_of(sim, engine)
    task = sim.create_tasks("dms", instance=instance, engine=engine, name=name, wait=0, run=600,
                            outcome="succeed", **plan)[0]["id"]
    sim.advance(240)  # 40 % through: the second of four steps
    return instance, task


def test_sdk_reads_progress_and_scheduled_tasks(sim_reset: SimulatorProcess) -> None:
    instance, task = running(sim_reset, "kafka", "extendInstance")
    client = sdk_client(KafkaClient, sim_reset, "aksk")
    progress = client.show_background_task_progress(
        ShowBackgroundTaskProgressRequest(instance_id=instance, task_id=task))
    assert progress.progress_percentage == 40
    assert [s.statue for s in progress.step_list] == ["COMPLETED", "IN_PROGRESS", "WAITING", "WAITING"]
    assert isinstance(progress.step_list[0].start_time, int) and progress.remain_time > 0
    path = f"/v2/{cred.PROJECT_ID}/instances/{instance}"
    check_model(raw(sim_reset, f"{path}/tasks/{task}/progress"), "ShowBackgroundTaskProgressResponse", kafka_model)
    jobs = client.list_scheduled_tasks(ListScheduledTasksRequest(instance_id=instance, start="0", limit="10"))
    assert jobs.job_count == len(jobs.jobs) == 3 and all(j.schedule_at for j in jobs.jobs)
    check_model(raw(sim_reset, f"{path}/scheduled-tasks"), "ListScheduledTasksResponse", kafka_model)

    rocket_instance, rocket_task = running(sim_reset, "rocketmq", "extendInstance")
    rocket = sdk_client(RocketMQClient, sim_reset, "token")
    assert rocket.show_background_task_progress(
        RocketProgress(instance_id=rocket_instance, task_id=rocket_task)).progress_percentage > 0
    rabbit = sdk_client(RabbitMQClient, sim_reset, "aksk")
    rabbit_jobs = rabbit.list_scheduled_tasks(RabbitListScheduled(instance_id=instance_of(sim_reset, "rabbitmq")))
    assert rabbit_jobs.job_count == 2


def provider(sim: SimulatorProcess) -> DmsProvider:
    made = create_provider(ProviderConfig(name="dms", kind="huawei-dms", base_url=sim.base_url,
                                          project_id=cred.PROJECT_ID, auth={"type": "token", "token": cred.HW_TOKEN}))
    assert isinstance(made, DmsProvider)
    return made


def progress_requests(sim: SimulatorProcess) -> int:
    return sum(1 for r in sim.requests(family="dms") if r["path"].endswith("/progress"))


def test_a_running_expansion_shows_progress_like_smint(sim_reset: SimulatorProcess) -> None:
    instance, task = running(sim_reset, "kafka", "extendInstance")

    async def read() -> TaskSnapshot:
        dms = provider(sim_reset)
        try:
            return await dms.fetch(TaskRef("dms", task, instance))
        finally:
            await dms.aclose()

    snapshot = asyncio.run(read())
    assert snapshot.state is TaskState.RUNNING and snapshot.error is None
    assert snapshot.progress == 40.0
    assert snapshot.steps is not None and (snapshot.steps.done, snapshot.steps.failed, snapshot.steps.total) == (1, 0, 4)
    assert snapshot.extra["remain_time"] > 0


def test_no_progress_is_remembered_per_task_name_and_is_not_an_error(sim_reset: SimulatorProcess) -> None:
    instance, task = running(sim_reset, "kafka", "restartInstance")
    rabbit, rabbit_task = running(sim_reset, "rabbitmq", "extendInstance")
    kafka_expansion = sim_reset.create_tasks("dms", instance=instance, engine="kafka", name="extendInstance",
                                             wait=0, run=6000)[0]["id"]

    async def read() -> tuple[list[TaskSnapshot], DmsProvider]:
        dms = provider(sim_reset)
        try:
            refs = [TaskRef("dms", task, instance), TaskRef("dms", task, instance),
                    TaskRef("dms", rabbit_task, rabbit), TaskRef("dms", kafka_expansion, instance)]
            return [await dms.fetch(ref) for ref in refs], dms
        finally:
            await dms.aclose()

    sim_reset.clear_log()
    snapshots, dms = asyncio.run(read())
    assert all(s.error is None and s.state is TaskState.RUNNING for s in snapshots)
    restart, again, rabbit_expansion, expansion = snapshots
    assert restart.progress is None and restart.steps is None
    # restartInstance: asked once (400), not again; RabbitMQ has no progress at all (404).
    assert (instance, "restartInstance") in dms.no_progress and (rabbit, "extendInstance") in dms.no_progress
    assert progress_requests(sim_reset) == 3
    # The same name on a Kafka instance still has its progress.
    assert expansion.progress is not None and expansion.steps is not None


def test_a_followed_instance_lists_its_scheduled_tasks(sim_reset: SimulatorProcess) -> None:
    instance = instance_of(sim_reset, "kafka")

    async def listing() -> Any:
        dms = provider(sim_reset)
        try:
            return await dms.list_tasks(instance)
        finally:
            await dms.aclose()

    listed = asyncio.run(listing())
    assert len(listed.scheduled) == 3
    pending = [s for s in listed.scheduled if s.state is TaskState.PENDING]
    assert len(pending) == 2
    for snap in listed.scheduled:
        assert snap.extra["scheduled"] and snap.summary == f"scheduled for {snap.extra['schedule_at']}"
        assert snap.summary.startswith("scheduled for 20")
    assert not {s.ref.key for s in listed.scheduled} & {s.ref.key for s in listed}


def test_wait_does_not_wait_for_scheduled_jobs() -> None:
    """A job scheduled days ahead is shown by status, but `wait` does not block on it."""
    import io

    from tui.commands.selection import Selection
    from tui.commands.wait import Tracker
    from tui.commands.wait_display import Display
    from tui.core.model import Listing

    selection = Selection()
    tracker = Tracker(selection, Display(selection, as_json=True, out=io.StringIO(), bar=False))
    done = TaskSnapshot(ref=TaskRef("dms", "t1", "i1"), state=TaskState.SUCCEEDED, fetched_at=1.0)
    job = TaskSnapshot(ref=TaskRef("dms", "j1", "i1"), state=TaskState.PENDING, fetched_at=1.0,
                       extra={"scheduled": True, "schedule_at": "2026-12-01T02:00:00.000Z"})
    tracker.listed(Listing("dms", "i1", keys=(done.ref.key,), scheduled=(job.ref.key,)))
    tracker.snapshot(job)
    tracker.snapshot(done)
    assert tracker.expected == {done.ref.key} and tracker.done.is_set()
