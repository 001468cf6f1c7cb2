"""Result strings and parameters taken from the vendors' documentation, plus plausible companions.

Each value is exactly what goes on the wire inside the task body (a string that itself holds JSON).
"""

from __future__ import annotations

import json

# --- Smint.io result_string values -------------------------------------------------------------------

DOWNLOAD_URL_RESULT = json.dumps(
    {"assetDownloadUrl": {"url": "https://downloads.example.com/portal/exports/assets-2024-03-07.zip?sig=3f9a1c"}}
)
LARGE_DOWNLOAD_RESULT = json.dumps(
    {"assetDownloadUrl": {"url": "https://downloads.example.com/portal/exports/campaign-archive.zip?sig=77be01"}}
)
# The docs wrap result_string JSON in single quotes; clients should tolerate that.
QUOTED_COLLECTIONS_RESULT = "'" + json.dumps(
    {"collections": [{"uuid": "5f0c7b9e-0b8e-4a6c-9d0e-1b2c3d4e5f60", "name": "Recent", "assetCount": 42}]}
) + "'"
FEATURE_SUPPORT_RESULT = json.dumps(
    {"isRandomAccessSupported": True, "isFullTextSearchSupported": True, "isFolderNavigationSupported": False}
)
ASSET_DATA_RESULT = json.dumps(
    {
        "assetDataObjects": [
            {"uuid": "a1b2c3d4-0000-4000-8000-000000000001", "name": "Hero banner.jpg", "contentType": "image"},
            {"uuid": "a1b2c3d4-0000-4000-8000-000000000002", "name": "Product video.mp4", "contentType": "video"},
        ]
    }
)
DOWNLOAD_GROUPS_RESULT = json.dumps(
    {"assetDownloadGroups": [{"name": "Original", "items": 3}, {"name": "Web (1920px)", "items": 3}]}
)
SEARCH_RESULT = json.dumps({"totalResults": 128, "assetDataObjects": []})
SMINT_ERROR_RESULT = json.dumps(
    {"error_code": "asset_processing_failed", "error_message": "3 of 40 renditions could not be generated"}
)
SMINT_EXPIRED_RESULT = json.dumps({"error_code": "download_link_expired", "error_message": "The download expired"})

# --- Huawei DMS task params (documented examples) -----------------------------------------------------

DMS_USER_NAME = "paas_dms"
DMS_USER_ID = "3df5acbc24a54fadb62a043c9000a307"
BIND_PUBLIC_IP_PARAMS = (
    '{"public_ip_id":"1aea7aed-e7d8-40ea-b3de-6f3ee9d5db9f","public_ip_address":"100.93.2.18","enable_public_ip":true}'
)
MODIFY_AUTO_TOPIC_PARAMS = '{"old_auto_status":true,"new_auto_status":false}'
CHANGE_RETENTION_PARAMS = '{"new_retention_policy":"produce_reject","origin_retention_policy":"time_base"}'

# --- Huawei APIG task_result values (documented examples) ---------------------------------------------

IMPORT_SUCCESS_RESULT = (
    '{"success":[{"id":"ee93ce6815f04896b301452982b92222","action":"create","method":"GET","path":"/test1"}],'
    '"failure":[],"swagger":{"id":"de1852ab6c5e4090b0bd88a02058e650","result":"Success"},'
    '"group_id":"9100ae30705947cc9543d37cd7fb388c"}'
)
IMPORT_FAILED_RESULT = '{"error_code":"APIG.3201","error_msg":"The API group name already exists"}'
IMPORT_PARTIAL_RESULT = json.dumps(
    {
        "success": [{"id": "0c2b7e5d4a9f4e1b8d3c6a5f2e1d0c9b", "action": "update", "method": "POST", "path": "/orders"}],
        "failure": [
            {
                "method": "DELETE",
                "path": "/orders/{id}",
                "error_code": "APIG.3301",
                "error_msg": "The API already exists",
            }
        ],
        "ignore": [{"method": "OPTIONS", "path": "/orders"}],
        "swagger": {"id": "7d2e4f1a9b8c4d6e8f0a1b2c3d4e5f60", "result": "Success"},
        "group_id": "9100ae30705947cc9543d37cd7fb388c",
    },
    separators=(",", ":"),
)
EXPORT_FAILED_RESULT = '{"error_code":"APIG.3001","error_msg":"The API group does not exist"}'

SWAGGER_DOC: dict[str, object] = {
    "swagger": "2.0",
    "info": {"title": "test8", "description": "Orders API exported from the gateway", "version": "2023-07-11-19:54:22"},
    "host": "9100ae30705947cc9543d37cd7fb388c.apic.eu-west-101.myhuaweicloudapis.eu",
    "basePath": "/",
    "schemes": ["https"],
    "paths": {
        "/test1": {
            "get": {
                "operationId": "test1",
                "description": "Return the orders of the caller",
                "produces": ["application/json"],
                "parameters": [{"name": "limit", "in": "query", "type": "integer", "required": False}],
                "responses": {"200": {"description": "OK"}, "default": {"description": "error"}},
                "security": [{"apig-auth-app": []}],
                "x-apigateway-backend": {
                    "type": "HTTP",
                    "httpEndpoints": {"address": "orders.internal:8080", "method": "GET", "path": "/orders"},
                },
                "x-apigateway-request-type": "public",
            }
        }
    },
    "securityDefinitions": {
        "apig-auth-app": {"type": "apiKey", "name": "Authorization", "in": "header", "x-apigateway-auth-type": "AppSigv1"}
    },
}
SWAGGER_TEXT = json.dumps(SWAGGER_DOC, indent="\t")


def export_result(file_name: str, comment: str = SWAGGER_TEXT, file_type: str = ".json") -> str:
    """An export task's task_result: FileName/FileType/Comment, Comment holding the swagger text."""
    return json.dumps({"FileName": file_name, "FileType": file_type, "Comment": comment})


EXPORT_RESULT = export_result("test8-RELEASE-all-2023-07-11-19:54:22")
