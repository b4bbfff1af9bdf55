"""An S3 server that checks AWS Signature Version 4 (moto, which verifies signatures with
botocore), for rookery's S3 tests.

usage: s3_server.py PORT BUCKET KEY=FILE [KEY=FILE ...]

Starts moto on 127.0.0.1:PORT, creates an IAM user allowed to read BUCKET and an access key,
uploads each FILE as KEY, then turns authentication on (every later request must be signed
by that key) and prints `READY <access key id> <secret key>`. Runs until killed.
"""

import json
import sys
import time

import boto3
from moto.server import ThreadedMotoServer
from moto import settings


def main():
    port, bucket, items = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    kw = dict(endpoint_url=url, region_name="us-east-1",
              aws_access_key_id="setup", aws_secret_access_key="setup")
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="reader")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:HeadObject"],
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}
    iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket=bucket)
    for item in items:
        k, path = item.split("=", 1)
        with open(path, "rb") as f:
            s3.put_object(Bucket=bucket, Key=k, Body=f.read())
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    print(f"READY {key['AccessKeyId']} {key['SecretAccessKey']}", flush=True)
    while True:
        time.sleep(3600)


main()
