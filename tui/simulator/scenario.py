"""Seeded scenarios: `demo` (about 60 tasks across the three APIs), `empty` (instances, no tasks) and
`bulk` (`count` generated tasks). The same name and seed always give the same instances, tasks and ids.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import samples
from .plans import Instance, Plan

SCENARIOS = ("demo", "empty", "bulk")
DEFAULT_BULK_COUNT = 1000


@dataclass(slots=True)
class Scenario:
    name: str
    seed: int
    instances: list[Instance] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)


class Ids:
    """Deterministic ids drawn from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex32(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"


def build(name: str, seed: int, count: int | None = None) -> Scenario:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    ids = Ids(seed)
    sc = Scenario(name=name, seed=seed, instances=_instances(ids))
    if name == "demo":
        sc.plans = _demo_plans(ids, sc.instances)
    elif name == "bulk":
        sc.plans = bulk_plans(ids, sc.instances, DEFAULT_BULK_COUNT if count is None else count)
    return sc


def _instances(ids: Ids) -> list[Instance]:
    return [
        Instance("dms", ids.uuid(), "kafka-orders", engine="kafka", engine_version="3.x"),
        Instance("dms", ids.uuid(), "rabbitmq-billing", engine="rabbitmq", engine_version="3.8.35"),
        Instance("dms", ids.uuid(), "rocketmq-events", engine="rocketmq", engine_version="4.8.0"),
        Instance("apig", ids.hex32(), "gateway-eu", status="Running"),
    ]


# (label, method, created, wait, run, outcome, steps, result/error)
_SMINT: list[tuple[str, str, float, float, float, str, int, str | None]] = [
    ("asset download (zip)", "initiateAssetsDownloadForAssetsAsync", 0, 2, 25, "succeed", 12, samples.DOWNLOAD_URL_RESULT),
    ("campaign archive download", "initiateAssetsDownloadForAssetsAsync", 0, 5, 900, "succeed", 240,
     samples.LARGE_DOWNLOAD_RESULT),
    ("collections (quoted JSON)", "getCollectionsAsync", 0, 1, 12, "succeed", 1, samples.QUOTED_COLLECTIONS_RESULT),
    ("feature support (immediate)", "getFeatureSupportAsync", -3, 0, 0, "succeed", 1, samples.FEATURE_SUPPORT_RESULT),
    ("search assets (immediate)", "searchAssetsAsync", -1, 0, 0, "succeed", 1, samples.SEARCH_RESULT),
    ("read assets", "getAssetsAsync", 0, 3, 45, "succeed", 20, samples.ASSET_DATA_RESULT),
    ("download groups", "getAssetsDownloadsForAssetsAsync", 0, 1, 55, "succeed", 5, samples.DOWNLOAD_GROUPS_RESULT),
    ("renditions batch", "generateRenditionsAsync", 0, 0, 35, "fail", 40, samples.SMINT_ERROR_RESULT),
    ("expired download", "initiateAssetsDownloadForAssetsAsync", -120, 0, 0, "fail", 1, samples.SMINT_EXPIRED_RESULT),
    ("queued export", "initiateAssetsDownloadForAssetsAsync", 0, 90, 120, "succeed", 30, samples.DOWNLOAD_URL_RESULT),
    ("nightly re-index", "reindexAssetsAsync", -600, 0, 3600, "succeed", 1000, '{"reindexed":25000}'),
    ("stuck metadata sync", "syncMetadataAsync", -60, 0, 600, "never", 100, None),
    ("rights check", "checkLicenseRightsAsync", 0, 0, 18, "succeed", 8, '{"allowed":true,"restrictions":[]}'),
    ("random assets (immediate)", "getRandomAssetsAsync", -30, 0, 0, "succeed", 1, samples.ASSET_DATA_RESULT),
    ("form values", "getFormItemDefinitionAllowedValuesAsync", -5, 0, 2, "succeed", 1,
     '{"allowedValues":["image","video","document"]}'),
    ("video transcode", "transcodeVideoAsync", 0, 10, 1500, "succeed", 60, '{"renditions":4}'),
    ("failed import", "importAssetsAsync", -900, 0, 120, "fail", 10, '{"error_code":"import_failed","error_message":"CSV row 7: unknown field"}'),
    ("done yesterday", "initiateAssetsDownloadForAssetsAsync", -86400, 2, 300, "succeed", 50,
     samples.LARGE_DOWNLOAD_RESULT),
    ("slow start", "getAssetsAsync", 0, 20, 40, "succeed", 4, samples.ASSET_DATA_RESULT),
    ("bulk tagging", "tagAssetsAsync", 0, 0, 300, "succeed", 500, '{"tagged":500}'),
]

# (instance name, task name, fixed id or None, created, wait, run, outcome, params, label)
_DMS: list[tuple[str, str, str | None, float, float, float, str, str, str | None]] = [
    ("kafka-orders", "bindInstancePublicIp", "8abfa7b272adc5b40172b73130065ae7", -2, 0, 20, "succeed",
     samples.BIND_PUBLIC_IP_PARAMS, "bind public IP (documented)"),
    ("kafka-orders", "modifyAutoTopic", "8abfa7b372160bfd0172165864064079", -30, 0, 2400, "succeed",
     samples.MODIFY_AUTO_TOPIC_PARAMS, "auto topic (documented)"),
    ("kafka-orders", "changeRetentionPolicy", "8abfa7b372160bfd017216560af83e6e", -3600, 0, 40, "succeed",
     samples.CHANGE_RETENTION_PARAMS, "retention policy (documented)"),
    ("kafka-orders", "createInstance", None, -40 * 86400, 0, 600, "succeed", '{"name":"kafka-orders"}', None),
    ("kafka-orders", "restartInstance", None, 0, 3, 45, "succeed", "{}", "restart"),
    ("kafka-orders", "modifyInstanceConfigs", None, 0, 0, 30, "fail",
     '{"log.retention.hours":"72","num.partitions":"6"}', "config change (fails)"),
    ("kafka-orders", "extendInstance", None, -120, 0, 1800, "succeed",
     '{"new_storage_space":600,"old_storage_space":300}', "disk expansion (long)"),
    ("kafka-orders", "[bold]x[/] [link=https://example.com]reassignPartitions[/link]", None, 0, 0, 50, "succeed",
     '{"topic":"[red]orders[/]"}', "markup in name"),
    ("kafka-orders", "scheduledRestart", None, -7200, 0, 1, "cancel", '{"schedule_at":"2024-03-07T02:00:00Z"}', None),
    ("kafka-orders", "deleteTopics", None, -5400, 0, 10, "delete", '{"topics":["tmp-1","tmp-2"]}', None),
    ("kafka-orders", "modifyCapacityThresholdPolicy", None, 0, 120, 60, "succeed",
     '{"retention_policy":"time_base"}', "queued"),
    ("kafka-orders", "rebalancePartitions", None, -300, 0, 600, "never", '{"topics":["orders"]}', "stuck"),
    ("kafka-orders", "enableSasl", None, 0, 5, 15, "fail", '{"sasl_enabled":true}', None),
    ("rabbitmq-billing", "createInstance", None, -20 * 86400, 0, 400, "succeed", '{"name":"rabbitmq-billing"}', None),
    ("rabbitmq-billing", "bindInstancePublicIp", None, 0, 0, 25, "succeed",
     '{"public_ip_id":"c2d9e0f1-1111-4e3a-9b8c-7d6e5f4a3b2c","public_ip_address":"100.93.7.41","enable_public_ip":true}',
     None),
    ("rabbitmq-billing", "restartInstance", None, 0, 10, 40, "succeed", "{}", None),
    ("rabbitmq-billing", "extendInstance", None, 0, 0, 1200, "succeed", '{"new_storage_space":200}', "expand (long)"),
    ("rabbitmq-billing", "enablePlugins", None, -600, 0, 30, "fail", '{"plugins":["rabbitmq_shovel"]}', None),
    ("rabbitmq-billing", "modifyInstance", None, 0, 60, 30, "succeed", '{"description":"billing queues"}', None),
    ("rocketmq-events", "createInstance", None, -10 * 86400, 0, 300, "succeed", '{"name":"rocketmq-events"}', None),
    ("rocketmq-events", "restartInstance", None, 0, 0, 35, "succeed", "{}", None),
]

# (fixed id or None, task_type, created, wait, run, outcome, result, error, label)
_APIG: list[tuple[str | None, str, float, float, float, str, str | None, str | None, str | None]] = [
    ("d9ce8c9eede54b3f841ec324fe0bfdc2", "import_api", -600, 1, 20, "succeed", samples.IMPORT_SUCCESS_RESULT, None,
     "import (documented)"),
    ("f01d2772ea4944408fa544c8ae5a9999", "import_api", -500, 1, 15, "fail", None, samples.IMPORT_FAILED_RESULT,
     "import failed (documented)"),
    ("4dfbf6acaacf4c41a8b3c50daa90d3dc", "import_api", -10, 0, 1200, "succeed", samples.IMPORT_SUCCESS_RESULT, None,
     "import processing (documented)"),
    ("d6e8834b6f0f4711a2fa5345e5b60833", "export_api", -400, 0, 10, "succeed", samples.EXPORT_RESULT, None,
     "swagger export (documented)"),
    (None, "export_api", 0, 2, 20, "succeed", samples.export_result("orders-RELEASE-spec"), None, "export soon"),
    (None, "import_api", 0, 30, 40, "succeed", samples.IMPORT_PARTIAL_RESULT, None, "import with failures"),
    (None, "export_api", 0, 0, 45, "fail", None, samples.EXPORT_FAILED_RESULT, "export fails"),
    (None, "export_api", 0, 0, 30, "succeed", samples.export_result("[bold]x[/] [red]markup[/]-RELEASE"), None,
     "markup in file name"),
    (None, "import_api", 0, 0, 900, "succeed", samples.IMPORT_SUCCESS_RESULT, None, "large import"),
    (None, "import_api", -120, 0, 600, "never", None, None, "stuck import"),
    (None, "export_api", 0, 300, 60, "succeed", samples.export_result("nightly-RELEASE-all"), None, "waiting"),
    (None, "import_api", 0, 5, 12, "succeed", samples.IMPORT_SUCCESS_RESULT, None, None),
    (None, "export_api", -3600, 0, 30, "succeed", samples.export_result("billing-RELEASE-all", file_type=".yaml"),
     None, None),
    (None, "import_api", 0, 0, 55, "fail", None, '{"error_code":"APIG.2012","error_msg":"Invalid swagger file"}',
     None),
    (None, "export_api", 0, 15, 1500, "succeed", samples.export_result("archive-RELEASE-all"), None, "long export"),
]


def _demo_plans(ids: Ids, instances: list[Instance]) -> list[Plan]:
    by_name = {i.name: i for i in instances}
    plans: list[Plan] = []
    for label, method, created, wait, run, outcome, steps, result in _SMINT:
        failed = outcome == "fail"
        plans.append(Plan(
            "smint", ids.uuid(), name=method, label=label, created=created, wait=wait, run=run, outcome=outcome,
            steps=steps, failed_steps=max(1, steps // 12) if failed else 0,
            result=None if failed else result, error=result if failed else None,
        ))
    for inst_name, name, fixed, created, wait, run, outcome, params, dms_label in _DMS:
        inst = by_name[inst_name]
        plans.append(Plan(
            "dms", fixed or ids.hex32(), instance=inst.id, engine=inst.engine, name=name, label=dms_label,
            created=created, wait=wait, run=run, outcome=outcome, params=params,
        ))
    gw = by_name["gateway-eu"]
    for fixed, ttype, created, wait, run, outcome, apig_result, error, apig_label in _APIG:
        plans.append(Plan(
            "apig", fixed or ids.hex32(), instance=gw.id, name=ttype, label=apig_label, created=created,
            wait=wait, run=run, outcome=outcome, result=apig_result, error=error,
        ))
    return plans


def bulk_plans(ids: Ids, instances: list[Instance], count: int) -> list[Plan]:
    """`count` generated tasks spread over the families and instances, with mixed durations and outcomes."""
    rng = ids.rng
    dms = [i for i in instances if i.family == "dms"]
    apig = [i for i in instances if i.family == "apig"]
    plans: list[Plan] = []
    outcomes = ["succeed"] * 6 + ["fail", "never"]
    for n in range(count):
        family = ("smint", "dms", "apig")[n % 3]
        created = -rng.uniform(0, 600) if rng.random() < 0.3 else 0.0
        wait = rng.choice([0.0, 0.0, 2.0, 10.0, 60.0])
        run = rng.choice([5.0, 20.0, 60.0, 300.0, 1800.0])
        outcome = rng.choice(outcomes)
        label = f"bulk {family} {n}"
        if family == "smint":
            plans.append(Plan("smint", ids.uuid(), name="initiateAssetsDownloadForAssetsAsync", label=label,
                              created=created, wait=wait, run=run, outcome=outcome, steps=rng.randint(1, 50),
                              result=samples.DOWNLOAD_URL_RESULT, error=samples.SMINT_ERROR_RESULT))
        elif family == "dms":
            inst = dms[n % len(dms)]
            plans.append(Plan("dms", ids.hex32(), instance=inst.id, engine=inst.engine,
                              name=rng.choice(["restartInstance", "extendInstance", "modifyInstanceConfigs"]),
                              label=label, created=created, wait=wait, run=run, outcome=outcome))
        else:
            inst = apig[n % len(apig)]
            export = rng.random() < 0.5
            plans.append(Plan("apig", ids.hex32(), instance=inst.id, name="export_api" if export else "import_api",
                              label=label, created=created, wait=wait, run=run, outcome=outcome,
                              result=samples.EXPORT_RESULT if export else samples.IMPORT_SUCCESS_RESULT,
                              error=samples.IMPORT_FAILED_RESULT))
    return plans


def scenario_summary(name: str, seed: int, instances: list[Instance], plans: list[Plan]) -> dict[str, Any]:
    return {
        "scenario": name,
        "seed": seed,
        "instances": [i.summary() for i in instances],
        "tasks": [p.summary() for p in plans],
    }
