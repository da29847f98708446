// zh-CN by default; English switchable, the choice kept in localStorage.
import { createI18n } from 'vue-i18n'
import { adminZh, adminEn } from './i18n_admin'
import { kbZh, kbEn } from './i18n_kb'

const zh = {
  app: { title: '12345 政务服务便民热线', short: '12345 热线', menu: '菜单', logout: '退出', lang: 'English', unavailable: '数据暂不可用', loading: '加载中…', refresh: '刷新', none: '暂无' },
  role: { agent: '话务员', dispatcher: '派单员', handler: '承办人', grid_worker: '网格员', supervisor: '督办员', admin: '管理员', citizen: '市民' },
  nav: { agent: '坐席受理', patrol: '巡查上报', workbench: '工单处置', dashboard: '一屏统览', citizen: '市民诉求' },
  patrol: {
    title: '巡查上报', urgency: '紧急程度', content: '发现的问题', contentHint: '例：某小区3号楼东侧消防通道被私家车占用',
    address: '具体位置', submit: '上报', mapHint: '在本网格地图上点选位置（不点选则按本网格上报）', noMap: '本网格暂无边界数据',
  },
  login: { title: '登录', login: '账号', password: '密码', submit: '登录', failed: '登录失败' },
  agent: {
    title: '坐席受理', phone: '来电号码', name: '来电人', nature: '诉求性质', urgency: '紧急程度', subject: '诉求分类',
    titleField: '标题', titleHint: '选填，默认：{title}', titleEmpty: '选填，默认取诉求内容的第一句', similar: '相似度{p}%', samePlaceSubject: '同一小区同类诉求', content: '诉求内容', address: '诉求地点', mode: '处理方式', modeDispatch: '提交派单', modeAnswer: '直接答复',
    answer: '答复内容', submit: '提交', submitted: '已受理，工单号', history: '来电人历史诉求', suggestions: '智能建议',
    duplicates: '可能重复的工单', mergeInto: '并入此单', place: '地址解析', shortcuts: '快捷键', newCall: '新来电',
    street: '街道', community: '社区', noModel: '服务器未加载分类模型，暂无分类建议', noSuggestion: '暂无把握较大的建议',
    suggestUnavailable: '智能建议暂不可用，已改为按来电号码查询历史诉求', placeUnavailable: '地址解析暂不可用',
    useSuggestion: '采用', leadUnit: '建议承办单位', confidence: '置信度', resolved: '已解析', ambiguous: '多个候选', unknown: '未能识别',
    keyHint: 'Ctrl+Enter 提交 · Alt+K 以知识库答复 · Alt+S 采用建议 · Alt+N 新来电 · Alt+1…6 选性质 · Tab 顺序填写',
  },
  wb: {
    title: '工单处置', inbox: '待办', all: '全部', red: '红灯', yellow: '黄灯', green: '绿灯', state: '状态', due: '办理时限',
    no: '工单号', subject: '分类', lead: '承办单位', light: '灯色', created: '受理时间', pick: '请选择左侧工单', search: '工单号/标题/内容',
    openOnly: '仅在办', back: '返回列表', review: '待确认智能分派', reviewUnavailable: '待确认队列暂不可用',
  },
  order: {
    detail: '工单详情', caller: '来电人', phone: '电话', place: '地点', content: '内容', timeline: '办理过程', actions: '可办理操作',
    reveal: '查看联系方式', hidden: '身份保密', masked: '已脱敏', reply: '答复', callback: '回访', supervised: '督办中', noActions: '当前无可办理操作',
    text: '说明', leadUnit: '承办单位', assistUnits: '协办单位', subject: '分类代码', days: '延期天数', rating: '满意度',
    contactedAt: '联系时间', contactMethod: '联系方式', resolved: '已解决', unresolvedReason: '未解决原因', actionsTaken: '办理措施',
    publicText: '答复内容（公开）', newStreet: '正确的街道', newAddress: '正确的地址', mergeInto: '并入工单号', basis: '不予受理依据', confirm: '确定', cancel: '取消', done: '操作成功',
    suggestion: '分派建议', byCatalogue: '按派单目录', byRule: '派单目录第{n}条', noRule: '派单目录中没有匹配的规则', signBy: '签收时限', nDays: '{n}天', via: '经{channel}', kpiUnit: '考核单位', pending: '待审核申请', classifier: '智能分类', autoDispatched: '已自动派单',
  },
  dash: {
    title: '12345 热线一屏统览', today: '今日受理', month: '本月受理', closed: '今日办结', rates: '三率', response: '响应率',
    resolution: '解决率', satisfaction: '满意率', direct_answer: '直办率', lights: '在办灯色', trend: '近30天受理趋势（按渠道）', three: '三量',
    city: '全市', streets: '街道排名', departments: '部门排名', districts: '区县排名', districtRankOf: '全市第 {rank} 名', hotspots: '热点诉求', redList: '红灯工单', map: '网格地图',
    byVolume: '受理量', byOverdue: '超期', byLight: '灯色', back: '返回上级', district: '全区', orders: '工单列表', updated: '更新于',
    current: '本期', previous: '上期', allFell: '三量齐降', overdue: '超期{d}', weighted: '加权{num}分/回访{den}件', open: '在办', noOpen: '无在办',
    legendCount: '本月受理量（颜色越深越多）', todayAssigned: '今日派入', workingDays: '{n}个工作日', monthAssigned: '本月派入', trendAssigned: '近30天派入与属地受理趋势', placeReceived: '属地受理', assigned: '派入', legendOverdue: '超期件数（颜色越深越多）',
  },
  track: { title: '工单进度查询', no: '工单号', phone: '诉求时留的电话', find: '查询', notFound: '未找到：请核对工单号和电话', tooMany: '查询过于频繁，请一分钟后再试', link: '查询工单进度（无需登录）' },
  cit: {
    title: '我的诉求', submit: '提交诉求', content: '诉求内容', address: '地点（输入或在地图上点选）', picked: '已选坐标', nature: '类别',
    ok: '提交成功，您的工单号', mine: '我的工单', track: '按工单号查询', reply: '答复', noReply: '尚未答复', rate: '评价',
    rateNote: '答复后您可以直接评价；未评价的，热线回访员会电话回访', state: '进度',
    rateAsk: '您对答复满意吗？', rateComment: '补充意见（选填）', rateSubmit: '提交评价', rateTaken: '该工单已评价或已回访', rated: '感谢您的评价',
  },
  state: { received: '已受理', dispatched: '已派单', return_requested: '退单审核中', in_progress: '办理中', extension_requested: '延期审核中', replied: '已答复', visited: '已回访', closed: '已办结', merged: '已并单', suspended: '已挂账', rejected: '不予受理' },
  nature: { consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬' },
  urgency: { normal: '一般', urgent: '紧急', critical: '特急' },
  light: { red: '红灯', yellow: '黄灯', green: '绿灯', none: '无' },
  channel: { hotline: '热线电话', web: '网站', app: '手机客户端', wechat: '微信', grid_patrol: '网格巡查', online_opinion: '网络舆情', petition: '信访', open311: '开放311接口', email: '邮件', sensor: '感知设备' },
  three: { hotline_complaints: '热线投诉量', online_opinion: '网络舆情量', petition: '信访量' },
  rating: { very_satisfied: '非常满意', satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', very_unsatisfied: '非常不满意', unreachable: '无法联系' },
  action: {
    answer: '直接答复', dispatch: '派单', sign: '签收', request_return: '申请退单', approve_return: '同意退单', reject_return: '驳回退单',
    request_extension: '申请延期', approve_extension: '批准延期', reject_extension: '驳回延期', reply: '答复', assist_reply: '协办反馈',
    callback: '回访', close: '办结', redo: '重办', supervise: '督办', merge: '并单', suspend: '挂账', resume: '恢复办理', reject: '不予受理',
    exclude_from_kpi: '剔除考核', include_in_kpi: '恢复考核', relocate: '修正地点', relay: '二次派单',
  },
  err: {
    invalid_argument: '{field}填写有误，请检查', required: '请填写{field}', not_found: '{field}不存在或不在您的管辖范围内',
    not_found_plain: '要找的内容不存在或不在您的管辖范围内', conflict: '工单已被他人更新，请刷新后重试', conflict_dup: '{field}已存在',
    failed_precondition: '工单当前状态下不能办理此操作', failed_precondition_field: '{field}：当前状态下不能办理此操作',
    forbidden: '您无权办理此操作', unauthenticated: '登录已过期，请重新登录', wrong_password: '账号或密码错误',
    unavailable: '服务暂时不可用，请稍后再试', too_many: '操作过于频繁，请稍后再试', internal: '服务器出错了，请稍后再试或联系管理员',
    invalid_plain: '填写有误，请检查', network: '网络连接失败，请检查网络后重试',
  },
  field: {
    body: '请求内容', content: '诉求内容', phone: '电话', title: '标题', name: '姓名', login: '账号', password: '密码', address: '地址',
    place: '地点', street: '街道', community: '社区', grid: '网格', unit: '单位', unit_id: '单位', lead_unit: '承办单位', lead_unit_id: '承办单位',
    assist_units: '协办单位', subject: '诉求分类', subject_code: '分类代码', nature: '诉求性质', urgency: '紧急程度', channel: '渠道',
    rating: '满意度', text: '说明', days: '延期天数', extension_days: '延期天数', merge_into: '并入工单号', basis: '不予受理依据',
    reply_public_text: '答复内容', reply_contacted_at: '联系时间', reply_contact_method: '联系方式', reply_actions_taken: '办理措施',
    reply_unresolved_reason: '未解决原因', reply_resolved: '是否解决', reply: '答复', no: '工单号', id: '工单', status: '状态', review: '待确认筛选', date: '日期',
    from: '开始日期', to: '结束日期', page: '页码', page_size: '每页条数', q: '搜索词', version: '版本', expect_version: '版本',
    role: '角色', code: '代码', kind: '类型', parent_code: '上级代码', month: '月份', caller: '来电人', caller_phone: '来电号码', caller_name: '来电人',
    comment: '补充意见', target: '目标', limit: '数量', sort: '排序', path: '地址', light: '灯色',
  },
  contact: { phone: '电话', visit: '上门走访', sms: '短信', wechat: '微信', email: '邮件', onsite: '现场' },
  kpiBasis: { unreasonable: '诉求不合理', illegal_demand: '诉求不合法', malicious_repeat: '恶意重复诉求', outside_duty: '不属本单位职责', force_majeure: '不可抗力', other: '其他' },
  basis: {
    litigation: '已进入诉讼程序', arbitration: '已进入仲裁程序', petition_filed: '已通过信访渠道办理', disciplinary: '属纪检监察事项',
    administrative_review: '属行政复议事项', information_disclosure: '属政府信息公开申请', secrets: '涉及国家秘密、商业秘密或个人隐私',
    public_order: '违背公序良俗', no_new_facts: '同一事项无新情况新理由', malicious: '恶意骚扰或无实质内容',
    emergency_transfer: '紧急事项已转110/119/120/122', no_content: '诉求内容不清且无法联系',
  },
}

const en: typeof zh = {
  app: { title: '12345 Citizen Service Hotline', short: '12345', menu: 'Menu', logout: 'Log out', lang: '中文', unavailable: 'Data not available', loading: 'Loading…', refresh: 'Refresh', none: 'None' },
  role: { agent: 'Agent', dispatcher: 'Dispatcher', handler: 'Handler', grid_worker: 'Grid worker', supervisor: 'Supervisor', admin: 'Administrator', citizen: 'Citizen' },
  nav: { agent: 'Agent console', patrol: 'Patrol report', workbench: 'Workbench', dashboard: 'Dashboard', citizen: 'My appeals' },
  patrol: {
    title: 'Patrol report', urgency: 'Urgency', content: 'What was found', contentHint: 'e.g. cars block the fire lane east of building 3',
    address: 'Exact place', submit: 'Report', mapHint: 'Pick the point on your grid (otherwise the report is filed for the whole grid)', noMap: 'No outline for this grid',
  },
  login: { title: 'Sign in', login: 'Login', password: 'Password', submit: 'Sign in', failed: 'Sign-in failed' },
  agent: {
    title: 'Agent console', phone: 'Caller phone', name: 'Caller name', nature: 'Nature', urgency: 'Urgency', subject: 'Category',
    titleField: 'Title', titleHint: 'optional; default: {title}', titleEmpty: 'optional; default: the first sentence of the appeal', similar: '{p}% similar', samePlaceSubject: 'same place, same subject', content: 'Appeal', address: 'Place', mode: 'Handling', modeDispatch: 'Submit for dispatch', modeAnswer: 'Answer directly',
    answer: 'Answer', submit: 'Submit', submitted: 'Recorded, order number', history: "Caller's earlier appeals", suggestions: 'Suggestions',
    duplicates: 'Possible duplicates', mergeInto: 'Merge into this', place: 'Place lookup', shortcuts: 'Shortcuts', newCall: 'New call',
    street: 'Street', community: 'Community', noModel: 'No classifier model loaded on the server', noSuggestion: 'No confident suggestion',
    suggestUnavailable: 'Suggestions unavailable (/suggest not on this server); using caller-phone lookup', placeUnavailable: 'Place lookup unavailable',
    useSuggestion: 'Use', leadUnit: 'Suggested unit', confidence: 'confidence', resolved: 'resolved', ambiguous: 'ambiguous', unknown: 'unknown',
    keyHint: 'Ctrl+Enter submit · Alt+K answer from the knowledge base · Alt+S take suggestion · Alt+N new call · Alt+1…6 nature · Tab moves field to field',
  },
  wb: {
    title: 'Workbench', inbox: 'Inbox', all: 'All', red: 'Red', yellow: 'Yellow', green: 'Green', state: 'State', due: 'Due',
    no: 'No.', subject: 'Category', lead: 'Lead unit', light: 'Light', created: 'Received', pick: 'Pick an order on the left', search: 'Number / title / content',
    openOnly: 'Open only', back: 'Back to the list', review: 'Suggestions to confirm', reviewUnavailable: 'Review queue not available',
  },
  order: {
    detail: 'Order', caller: 'Caller', phone: 'Phone', place: 'Place', content: 'Content', timeline: 'Timeline', actions: 'Actions',
    reveal: 'Reveal contact', hidden: 'Identity hidden', masked: 'masked', reply: 'Reply', callback: 'Callback', supervised: 'Supervised', noActions: 'Nothing to do for you now',
    text: 'Text', leadUnit: 'Lead unit', assistUnits: 'Assisting units', subject: 'Subject code', days: 'Extension days', rating: 'Rating',
    contactedAt: 'Contacted at', contactMethod: 'Contact method', resolved: 'Resolved', unresolvedReason: 'Why unresolved', actionsTaken: 'Actions taken',
    publicText: 'Public answer', newStreet: 'Correct street', newAddress: 'Correct address', mergeInto: 'Merge into (number)', basis: 'Legal basis', confirm: 'OK', cancel: 'Cancel', done: 'Done',
    suggestion: 'Dispatch suggestion', byCatalogue: 'by catalogue', byRule: 'catalogue rule {n}', noRule: 'no catalogue rule matches', signBy: 'sign by', nDays: '{n} days', via: 'via {channel}', kpiUnit: 'Unit scored', pending: 'Pending request', classifier: 'Classifier', autoDispatched: 'auto-dispatched',
  },
  dash: {
    title: '12345 hotline — one screen', today: 'Received today', month: 'This month', closed: 'Closed today', rates: 'Rates', response: 'Response',
    resolution: 'Resolution', satisfaction: 'Satisfaction', direct_answer: 'Answered directly', lights: 'Open by light', trend: 'Last 30 days by channel', three: 'Three volumes',
    city: 'City', streets: 'Streets', departments: 'Departments', districts: 'Districts', districtRankOf: 'No. {rank} in the city', hotspots: 'Hotspots', redList: 'Red-light orders', map: 'Grid map',
    byVolume: 'Volume', byOverdue: 'Overdue', byLight: 'Light', back: 'Up', district: 'District', orders: 'Orders', updated: 'Updated',
    current: 'current', previous: 'previous', allFell: 'all three fell', overdue: '{d} overdue', weighted: 'score {num} of {den} callbacks (weighted)', open: 'open', noOpen: 'none open',
    legendCount: 'received this month (darker = more)', todayAssigned: 'Assigned today', workingDays: '{n} working days', monthAssigned: 'Assigned this month', trendAssigned: 'Last 30 days: assigned and placed here', placeReceived: 'placed here', assigned: 'Assigned', legendOverdue: 'overdue (darker = more)',
  },
  track: { title: 'Track an appeal', no: 'Order number', phone: 'Phone used for the appeal', find: 'Find', notFound: 'Not found: check the number and the phone', tooMany: 'Too many lookups; try again in a minute', link: 'Track an appeal (no login)' },
  cit: {
    title: 'My appeals', submit: 'Submit an appeal', content: 'What is it about', address: 'Place (type it or click the map)', picked: 'Picked point', nature: 'Kind',
    ok: 'Submitted; your order number', mine: 'My orders', track: 'Find by number', reply: 'Answer', noReply: 'Not answered yet', rate: 'Rating',
    rateNote: 'Rate the answer yourself once it comes; otherwise a hotline agent will call you back', state: 'Progress',
    rateAsk: 'Are you satisfied with the answer?', rateComment: 'Comment (optional)', rateSubmit: 'Send rating', rateTaken: 'This order has already been rated', rated: 'Thank you for your rating',
  },
  state: { received: 'Received', dispatched: 'Dispatched', return_requested: 'Return requested', in_progress: 'In progress', extension_requested: 'Extension requested', replied: 'Replied', visited: 'Called back', closed: 'Closed', merged: 'Merged', suspended: 'Suspended', rejected: 'Rejected' },
  nature: { consultation: 'Consultation', help: 'Help', complaint: 'Complaint', report: 'Report', suggestion: 'Suggestion', praise: 'Praise' },
  urgency: { normal: 'Normal', urgent: 'Urgent', critical: 'Critical' },
  light: { red: 'Red', yellow: 'Yellow', green: 'Green', none: 'None' },
  channel: { hotline: 'Hotline', web: 'Web', app: 'App', wechat: 'WeChat', grid_patrol: 'Grid patrol', online_opinion: 'Online opinion', petition: 'Petition', open311: 'Open311', email: 'Email', sensor: 'Sensor' },
  three: { hotline_complaints: 'Hotline complaints', online_opinion: 'Online opinion', petition: 'Petitions' },
  rating: { very_satisfied: 'Very satisfied', satisfied: 'Satisfied', basically_satisfied: 'Basically satisfied', unsatisfied: 'Unsatisfied', very_unsatisfied: 'Very unsatisfied', unreachable: 'Unreachable' },
  action: {
    answer: 'Answer', dispatch: 'Dispatch', sign: 'Sign', request_return: 'Request return', approve_return: 'Approve return', reject_return: 'Reject return',
    request_extension: 'Request extension', approve_extension: 'Approve extension', reject_extension: 'Reject extension', reply: 'Reply', assist_reply: 'Assist reply',
    callback: 'Callback', close: 'Close', redo: 'Redo', supervise: 'Supervise', merge: 'Merge', suspend: 'Suspend', resume: 'Resume', reject: 'Reject',
    exclude_from_kpi: 'Exclude from KPIs', include_in_kpi: 'Include in KPIs', relocate: 'Correct the place', relay: 'Re-dispatch in the district',
  },
  err: {
    invalid_argument: '{field} is not valid', required: '{field} is required', not_found: '{field} not found (or outside your area)',
    not_found_plain: 'Not found (or outside your area)', conflict: 'Someone else changed this order; refresh and try again', conflict_dup: '{field} already exists',
    failed_precondition: 'Not possible in the order\'s current state', failed_precondition_field: '{field}: not possible in the current state',
    forbidden: 'You may not do this', unauthenticated: 'Session expired; please sign in again', wrong_password: 'Wrong login or password',
    unavailable: 'Service unavailable; try again later', too_many: 'Too many requests; try again later', internal: 'Server error; try again or tell the administrator',
    invalid_plain: 'Please check your input', network: 'Network error; check the connection and try again',
  },
  field: {
    body: 'Request', content: 'Content', phone: 'Phone', title: 'Title', name: 'Name', login: 'Login', password: 'Password', address: 'Address',
    place: 'Place', street: 'Street', community: 'Community', grid: 'Grid', unit: 'Unit', unit_id: 'Unit', lead_unit: 'Lead unit', lead_unit_id: 'Lead unit',
    assist_units: 'Assisting units', subject: 'Category', subject_code: 'Subject code', nature: 'Nature', urgency: 'Urgency', channel: 'Channel',
    rating: 'Rating', text: 'Text', days: 'Days', extension_days: 'Extension days', merge_into: 'Merge into', basis: 'Legal basis',
    reply_public_text: 'Public answer', reply_contacted_at: 'Contacted at', reply_contact_method: 'Contact method', reply_actions_taken: 'Actions taken',
    reply_unresolved_reason: 'Why unresolved', reply_resolved: 'Resolved', reply: 'Reply', no: 'Order number', id: 'Order', status: 'Status', review: 'Review filter', date: 'Date',
    from: 'From', to: 'To', page: 'Page', page_size: 'Page size', q: 'Search', version: 'Version', expect_version: 'Version',
    role: 'Role', code: 'Code', kind: 'Kind', parent_code: 'Parent code', month: 'Month', caller: 'Caller', caller_phone: 'Caller phone', caller_name: 'Caller',
    comment: 'Comment', target: 'Target', limit: 'Limit', sort: 'Sort', path: 'Path', light: 'Light',
  },
  contact: { phone: 'Phone', visit: 'Visit', sms: 'SMS', wechat: 'WeChat', email: 'Email', onsite: 'On site' },
  kpiBasis: { unreasonable: 'Unreasonable demand', illegal_demand: 'Unlawful demand', malicious_repeat: 'Malicious repeats', outside_duty: 'Outside the unit\'s duties', force_majeure: 'Force majeure', other: 'Other' },
  basis: {
    litigation: 'In litigation', arbitration: 'In arbitration', petition_filed: 'Handled as a petition', disciplinary: 'Disciplinary matter',
    administrative_review: 'Administrative review', information_disclosure: 'Information disclosure request', secrets: 'Secrets or privacy',
    public_order: 'Against public order', no_new_facts: 'No new facts', malicious: 'Malicious or empty',
    emergency_transfer: 'Emergency transferred to 110/119/120/122', no_content: 'Unclear and unreachable',
  },
}

const LANG_KEY = 'hotline.lang'
export const i18n = createI18n({
  legacy: false,
  locale: localStorage.getItem(LANG_KEY) || 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': { ...zh, ...adminZh, ...kbZh }, en: { ...en, ...adminEn, ...kbEn } },
})

export function toggleLang() {
  const next = i18n.global.locale.value === 'en' ? 'zh-CN' : 'en'
  i18n.global.locale.value = next
  localStorage.setItem(LANG_KEY, next)
  document.documentElement.lang = next
}
