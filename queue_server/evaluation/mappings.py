"""The two field mappings shipped for the provincial upload (docs/evaluation.md), as data.

`national`: the national 好差评 data exchange, as close as public descriptions allow (国办发〔2019〕
51号 and the 政务服务"好差评"数据规范 as described in public material). Field names and codes differ
between provincial platforms: check them against the province's interface document and override
what differs with `[halls.evaluation.upload.mapping_override]`. `alternate` is the satisfaction
(5 非常满意 … 1 非常不满意), `pf` the channel (4 大厅评价器, 5 自助终端, 3 二维码 on a phone),
`assessNumber` 1 首评 / 2 追评 / 3 整改结果.

`demo`: the demo platform's (the project's own names, plain codes), used by the demo hall and the
tests' local receivers.
"""

from __future__ import annotations

NATIONAL: dict[str, object] = {'level_best': 5,
 'reasons_joiner': ',',
 'envelope': '',
 'ack_field': 'code',
 'ack_values': ['0', '200'],
 'fields': {'record_id': 'evaluateId',
            'ticket_number': 'projectNo',
            'item_code': 'taskCode',
            'item_name': 'taskName',
            'department_code': 'deptCode',
            'region_code': 'areaCode',
            'hall_name': 'deptName',
            'window_name': 'windowName',
            'clerk_id': 'staffNo',
            'clerk_name': 'staffName',
            'level': 'alternate',
            'reasons': 'evaluationDetail',
            'text': 'writingEvaluation',
            'channel': 'pf',
            'kind': 'assessNumber',
            'real_name': 'isRealName',
            'evaluated_at': 'assessTime',
            'served_at': 'handleTime',
            'case_state': 'rectifyStatus',
            'case_closed_at': 'rectifyTime',
            'case_result': 'rectifyResult',
            'case_excluded': 'isInvalid'},
 'channel_codes': {'window': '4', 'kiosk': '5', 'phone': '3'},
 'kind_codes': {'first': '1', 'followup': '2', 'case': '3'},
 'real_name_codes': {'true': '1', 'false': '0'}}

DEMO: dict[str, object] = {'level_best': 5,
 'reasons_joiner': '|',
 'envelope': 'record',
 'ack_field': 'status',
 'ack_values': ['ok'],
 'fields': {'record_id': 'id',
            'kind': 'kind',
            'ticket_number': 'number',
            'hall_id': 'hall',
            'item_code': 'item_code',
            'window': 'window',
            'clerk_id': 'clerk',
            'level': 'level',
            'reasons': 'reasons',
            'text': 'text',
            'channel': 'channel',
            'real_name': 'real_name',
            'evaluated_at': 'at',
            'case_id': 'case',
            'case_state': 'case_state',
            'case_excluded': 'excluded'},
 'channel_codes': {'window': 'window', 'kiosk': 'kiosk', 'phone': 'phone'},
 'kind_codes': {'first': 'first', 'followup': 'followup', 'case': 'case'},
 'real_name_codes': {'true': 'yes', 'false': 'no'}}

BUILTIN = {"national": NATIONAL, "demo": DEMO}
