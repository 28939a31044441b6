"""Runs SSM calls with boto3, as a Python user of the local pipeline would: the endpoint, region and
credentials come from the environment (AWS_ENDPOINT_URL, as `npm run demo -- --keep` prints it).

argv[1]: JSON list of {"op": "<boto3 method>", "args": {...}, "region": optional}.
stdout: JSON list of {"ok": true, "response": {...}} or {"ok": false, "code": "<error code>", "message": "..."}.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

results = []
clients = {}
for call in json.loads(sys.argv[1]):
    region = call.get("region")
    if region not in clients:
        clients[region] = boto3.client("ssm", region_name=region) if region else boto3.client("ssm")
    try:
        response = getattr(clients[region], call["op"])(**call.get("args", {}))
        response.pop("ResponseMetadata", None)
        results.append({"ok": True, "response": response})
    except ClientError as error:
        results.append({"ok": False, "code": error.response["Error"]["Code"], "message": error.response["Error"].get("Message", "")})
print(json.dumps(results, default=str))
