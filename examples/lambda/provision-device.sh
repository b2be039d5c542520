#!/bin/sh
# Provision one IoT device for the stack of template.yaml: the console
# click-ops, scripted with the aws CLI.
#
#   1. the thing (created if it does not exist: one policy serves a fleet);
#   2. a key pair and an active certificate (create-keys-and-certificate);
#   3. the stack's device policy and the thing attached to the certificate;
#   4. the account's ATS data endpoint and the Amazon root CA;
#   5. the files, readable by you only (umask 077, chmod 0600):
#        DIR/THING.cert.pem  DIR/THING.private.key  DIR/THING.public.key
#        DIR/AmazonRootCA1.pem  DIR/THING.env (ENDPOINT, TOPIC, THING)
# If a step after the certificate's creation fails, the certificate is
# detached, deactivated and deleted again.
#
# usage: provision-device.sh [-s STACK] [-t THING] [-d DIR]
#   -s STACK  the CloudFormation stack (default fhx-iot)
#   -t THING  thing name = MQTT client id (default: the stack's ThingName)
#   -d DIR    where the files go (default ./device-certs)
# Needs: aws (credentials and region configured), and curl only when the
# Debian ca-certificates copy of Amazon Root CA 1 is missing.
set -eu

stack=fhx-iot
thing=
dir=./device-certs
while getopts s:t:d:h opt; do
    case $opt in
    s) stack=$OPTARG ;;
    t) thing=$OPTARG ;;
    d) dir=$OPTARG ;;
    *) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d'
       exit 64 ;;
    esac
done

if ! command -v aws >/dev/null 2>&1; then
    echo "provision-device: the aws CLI is required" >&2
    exit 69
fi

output() { # the value of a stack output
    aws cloudformation describe-stacks --stack-name "$stack" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" \
        --output text
}

policy=$(output DevicePolicyName)
topic_base=$(output Topic)
topic_base=${topic_base%/*}
if [ -z "$thing" ]; then
    thing=$(output ThingName)
fi
case $thing in
'' | *[!A-Za-z0-9:_-]*)
    echo "provision-device: invalid thing name '$thing'" >&2
    exit 64 ;;
esac
topic=$topic_base/$thing

if ! aws iot describe-thing --thing-name "$thing" >/dev/null 2>&1; then
    echo "creating thing $thing"
    aws iot create-thing --thing-name "$thing" >/dev/null
fi

umask 077
mkdir -p "$dir"
cert_arn=
cleanup() {
    status=$?
    if [ $status -ne 0 ] && [ -n "$cert_arn" ]; then
        echo "provision-device: failed; removing certificate $cert_arn" >&2
        aws iot detach-thing-principal --thing-name "$thing" \
            --principal "$cert_arn" >/dev/null 2>&1 || :
        aws iot detach-policy --policy-name "$policy" \
            --target "$cert_arn" >/dev/null 2>&1 || :
        cert_id=${cert_arn##*/}
        aws iot update-certificate --certificate-id "$cert_id" \
            --new-status INACTIVE >/dev/null 2>&1 || :
        aws iot delete-certificate --certificate-id "$cert_id" \
            >/dev/null 2>&1 || :
        rm -f "$dir/$thing.cert.pem" "$dir/$thing.private.key" \
            "$dir/$thing.public.key"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "creating keys and certificate for $thing"
cert_arn=$(aws iot create-keys-and-certificate --set-as-active \
    --certificate-pem-outfile "$dir/$thing.cert.pem" \
    --public-key-outfile "$dir/$thing.public.key" \
    --private-key-outfile "$dir/$thing.private.key" \
    --query certificateArn --output text)
aws iot attach-policy --policy-name "$policy" --target "$cert_arn"
aws iot attach-thing-principal --thing-name "$thing" --principal "$cert_arn"
endpoint=$(aws iot describe-endpoint --endpoint-type iot:Data-ATS \
    --query endpointAddress --output text)

ca=/usr/share/ca-certificates/mozilla/Amazon_Root_CA_1.crt
if [ -r "$ca" ]; then
    cp "$ca" "$dir/AmazonRootCA1.pem"
else
    curl -fsS -o "$dir/AmazonRootCA1.pem" \
        https://www.amazontrust.com/repository/AmazonRootCA1.pem
fi
printf 'ENDPOINT=%s\nTOPIC=%s\nTHING=%s\n' "$endpoint" "$topic" "$thing" \
    >"$dir/$thing.env"
chmod 0600 "$dir/$thing.cert.pem" "$dir/$thing.private.key" \
    "$dir/$thing.public.key" "$dir/AmazonRootCA1.pem" "$dir/$thing.env"

echo "done: $dir/$thing.* (mode 0600), endpoint $endpoint"
echo "publish a test message:"
echo "  mosquitto_pub -h $endpoint -p 8883 -i $thing \\"
echo "    --cafile $dir/AmazonRootCA1.pem --cert $dir/$thing.cert.pem \\"
echo "    --key $dir/$thing.private.key -q 1 -t $topic \\"
echo "    -m '{\"message\":\"Hello, world!\"}'"
