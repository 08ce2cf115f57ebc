"""Shapes of the KPI API. Input serializers check shapes only; the organization always comes from the URL."""

from __future__ import annotations

from rest_framework import serializers

from config.limits import API_MAX_PAGE_SIZE
from kpis.models import Grain, Kpi
from kpis.periods import validate_period_day


class KpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = ("slug", "name", "description", "formula", "unit", "direction", "category", "owner_role",
                  "dimension_label", "is_builtin")
        read_only_fields = fields


class ValuesQuerySerializer(serializers.Serializer):
    grain = serializers.ChoiceField(choices=Grain.choices, default=Grain.MONTH)
    start = serializers.DateField(required=False, validators=[validate_period_day],
                                  help_text="First day covered (default: 12 months back).")
    end = serializers.DateField(required=False, validators=[validate_period_day],
                                help_text="Last day covered (default: today).")
    dimension = serializers.CharField(required=False, default="", allow_blank=True, max_length=120,
                                      help_text="A dimension value (segment, channel…); empty for the total.")

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end:
            if end < start:
                raise serializers.ValidationError({"end": "The end comes before the start."})
            if (end - start).days > 366 * 10:
                raise serializers.ValidationError({"end": "Ask for ten years at most."})
        return attrs


class KpiPointSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    no_value_reason = serializers.CharField(
        allow_blank=True, help_text="Why there is no value, in plain words of the request's language; empty with a value.")
    target = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    status = serializers.ChoiceField(choices=["on_track", "at_risk", "off_track", "no_data"])


class KpiValuesSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    grain = serializers.CharField()
    dimension = serializers.CharField(allow_blank=True)
    dimension_values = serializers.ListField(child=serializers.CharField())
    results = KpiPointSerializer(many=True)


class LineageQuerySerializer(serializers.Serializer):
    period = serializers.DateField(required=False, validators=[validate_period_day],
                                   help_text="Any day of the period (default: last month).")
    grain = serializers.ChoiceField(choices=Grain.choices, default=Grain.MONTH)
    metric = serializers.CharField(required=False, allow_blank=True, max_length=80,
                                   help_text="Slug of one metric; default: every metric the KPI reads.")
    dimension = serializers.CharField(required=False, default="", allow_blank=True, max_length=120)
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100_000)
    page_size = serializers.IntegerField(required=False, default=50, min_value=1, max_value=API_MAX_PAGE_SIZE)


class LineageRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    external_id = serializers.CharField()
    provenance = serializers.CharField(allow_blank=True, help_text="Which import run or API key last wrote it "
                                       "(empty for a sync: `source` names the provider).")
    is_deleted = serializers.BooleanField()
    fields = serializers.DictField(help_text="The record's fields that matter for this metric (amounts as strings).")


class LineageMetricSerializer(serializers.Serializer):
    metric = serializers.CharField()
    metric_name = serializers.CharField()
    record_type = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = LineageRecordSerializer(many=True)


class LineageSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    metrics = LineageMetricSerializer(many=True)


class WhatIfChangeSerializer(serializers.Serializer):
    driver = serializers.CharField(max_length=80, help_text="Slug of a metric or KPI.")
    pct = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True,
                                   help_text="+10 moves the driver up by 10 %.")
    value = serializers.DecimalField(max_digits=24, decimal_places=6, required=False, allow_null=True,
                                     help_text="Sets the driver to this value.")

    def validate(self, attrs):
        if (attrs.get("pct") is None) == (attrs.get("value") is None):
            raise serializers.ValidationError("Give either pct or value.")
        return attrs


class WhatIfRequestSerializer(serializers.Serializer):
    period = serializers.DateField(required=False, validators=[validate_period_day],
                                   help_text="Any day of the month (default: last month).")
    dimension = serializers.CharField(required=False, default="", allow_blank=True, max_length=120)
    changes = WhatIfChangeSerializer(many=True, allow_empty=False)


class WhatIfResultSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    name = serializers.CharField()
    before = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    after = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)


class WhatIfResponseSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    saved = serializers.BooleanField(help_text="Always false: a simulation saves nothing.")
    results = WhatIfResultSerializer(many=True)
