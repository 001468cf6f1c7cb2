"""Regenerate tui/core/regions.json from the official Huawei Cloud Python SDK's region files.

Run it after upgrading the SDK in the `test` extra (tests/test_regions.py fails when the table and the SDK
disagree): `python scripts/regions_from_sdk.py`. The DMS table is Kafka's; RabbitMQ and RocketMQ must agree
with it (the script stops if they do not).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "tui" / "core" / "regions.json"


def region_table(cls: type) -> dict[str, str]:
    """{region id: endpoint} of one SDK region class (every Region attribute)."""
    from huaweicloudsdkcore.region.region import Region

    table: dict[str, str] = {}
    for value in vars(cls).values():
        if isinstance(value, Region):
            table[value.id] = value.endpoints[0]
    return dict(sorted(table.items()))


def sdk_tables() -> dict[str, Any]:
    from huaweicloudsdkapig.v2.region.apig_region import ApigRegion
    from huaweicloudsdkcore.auth import endpoint
    from huaweicloudsdkcore.auth.internal import IamHelper
    from huaweicloudsdkkafka.v2.region.kafka_region import KafkaRegion
    from huaweicloudsdkrabbitmq.v2.region.rabbitmq_region import RabbitMQRegion
    from huaweicloudsdkrocketmq.v2.region.rocketmq_region import RocketMQRegion

    dms = region_table(KafkaRegion)
    for other in (RabbitMQRegion, RocketMQRegion):
        if region_table(other) != dms:
            raise SystemExit(f"{other.__name__} differs from KafkaRegion; taskdeck assumes one DMS table")
    iam = dict(sorted(vars(endpoint)["__IAM_ENDPOINT_DICT"].items()))
    return {"dms": dms, "apig": region_table(ApigRegion), "iam": iam, "iam_default": IamHelper.DEFAULT_ENDPOINT}


def main() -> int:
    from importlib.metadata import version

    tables = {"_source": f"huaweicloudsdk* {version('huaweicloudsdkcore')} region files", **sdk_tables()}
    TARGET.write_text(json.dumps(tables, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}: {len(tables['dms'])} DMS, {len(tables['apig'])} APIG, {len(tables['iam'])} IAM regions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
