// Texts of the knowledge base (知识库, issue 17): the agent console's panel, the entries screen
// and the public FAQ page (zh-CN first, English switchable); merged into the messages in i18n.ts.
export const kbZh = {
  kb: {
    nav: '知识库', panel: '知识库', hint: '分类提示：{s}', none: '没有匹配的知识条目', typing: '输入诉求内容后自动检索知识库',
    unavailable: '知识库暂不可用', answer: '以此答复', answerKey: 'Alt+K', answered: '已依据知识库答复，工单号', version: '第{v}版',
    used: '已答复 {n} 次', rated: '回访 {n} 次', satisfied: '满意 {p}', unit: '主管单位', source: '政策依据', subjects: '分类',
    search: '搜索知识库', state: '状态', light: '复审提示', mine: '只看本单位', versions: '历史版本', events: '变更记录',
    corrections: '纠错意见', similar: '相似问法', usage: '使用与评价', ratings: '回访评价', noRatings: '暂无回访评价',
    submit: '提交审核', publish: '审核发布', return: '退回修改', withdraw: '撤回', correction: '提出纠错', note: '说明',
    noteNeeded: '请填写说明', done: '已完成', live: '现行版本', reviewDue: '复审日期', validUntil: '有效期至',
    st: { draft: '草稿', submitted: '待审核', published: '已发布', expired: '已过期', withdrawn: '已撤回' },
    lights: { none: '—', green: '正常', yellow: '即将到期', red: '已到期' },
    act: { create: '创建', update: '修改', submit: '提交审核', publish: '发布', return: '退回', withdraw: '撤回', expire: '过期', correction: '纠错' },
    faq: {
      title: '常见问题', sub: '12345 政务服务便民热线 · 知识库', search: '请输入您要咨询的问题', find: '搜索', empty: '没有找到相关问答，您可以拨打 12345 咨询',
      latest: '最新发布', unit: '答复单位', source: '依据', updated: '更新于', link: '常见问题（无需登录）', tooMany: '查询过于频繁，请一分钟后再试',
    },
  },
}

export const kbEn: typeof kbZh = {
  kb: {
    nav: 'Knowledge base', panel: 'Knowledge base', hint: 'Category hint: {s}', none: 'No matching entry', typing: 'Type the appeal to search the knowledge base',
    unavailable: 'Knowledge base unavailable', answer: 'Answer with this', answerKey: 'Alt+K', answered: 'Answered from the knowledge base, order', version: 'v{v}',
    used: 'answered {n}×', rated: '{n} callbacks', satisfied: 'satisfied {p}', unit: 'Owning unit', source: 'Source', subjects: 'Categories',
    search: 'Search the knowledge base', state: 'State', light: 'Review', mine: 'My unit only', versions: 'Versions', events: 'History',
    corrections: 'Corrections', similar: 'Similar questions', usage: 'Use and ratings', ratings: 'Callback ratings', noRatings: 'No callback ratings yet',
    submit: 'Submit', publish: 'Publish', return: 'Return', withdraw: 'Withdraw', correction: 'Propose correction', note: 'Note',
    noteNeeded: 'A note is required', done: 'Done', live: 'Live version', reviewDue: 'Review due', validUntil: 'Valid until',
    st: { draft: 'Draft', submitted: 'Submitted', published: 'Published', expired: 'Expired', withdrawn: 'Withdrawn' },
    lights: { none: '—', green: 'OK', yellow: 'Due soon', red: 'Overdue' },
    act: { create: 'Created', update: 'Updated', submit: 'Submitted', publish: 'Published', return: 'Returned', withdraw: 'Withdrawn', expire: 'Expired', correction: 'Correction' },
    faq: {
      title: 'Frequently asked questions', sub: '12345 Citizen Service Hotline · Knowledge base', search: 'Type your question', find: 'Search', empty: 'Nothing found; call 12345 for help',
      latest: 'Latest', unit: 'Answered by', source: 'Source', updated: 'Updated', link: 'FAQ (no login)', tooMany: 'Too many searches; try again in a minute',
    },
  },
}
