// The worker side of heads in worker mode (head-client.js is the calling side): the heads of
// the worker's model, by the id the calling thread gave each, and the operations it sends.
//
// Message in: {type: 'head', head: id, op, ...the operation's arguments}. Every answer is plain
// data; train and load also send back the head's JSON, so that toJSON(), labels and method stay
// synchronous on the calling side.
const heads = new Map();

export async function handleHeadMessage(model, message) {
  const { head: id, op } = message;
  if (op === 'create') {
    heads.set(id, model.createHead());
    return null;
  }
  const head = heads.get(id);
  if (!head) throw new Error('this head was disposed');
  switch (op) {
    case 'addExample': return head.addExample(message.input, message.label, message.options);
    case 'removeExamples': return head.removeExamples(message.label);
    case 'exampleCounts': return head.exampleCounts();
    case 'train': {
      const report = await head.train(message.options);
      return { report, json: head.toJSON() };
    }
    case 'load': {
      await head._load(message.json);
      return { json: head.toJSON() };
    }
    case 'classify': return head.classify(message.input, message.options);
    case 'dispose':
      head.dispose();
      heads.delete(id);
      return null;
    default: throw new Error(`unknown head operation ${op}`);
  }
}
