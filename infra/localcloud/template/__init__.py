"""template.yaml -> translated CloudFormation -> the resources the local cloud builds."""
