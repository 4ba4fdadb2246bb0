import { z } from 'zod';

const Base64Image = z.strictObject({
  type: z.literal('base64'),
  media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
  data: z.string().min(1),
});
const UrlSource = z.strictObject({ type: z.literal('url'), url: z.url() });
const Base64Pdf = z.strictObject({ type: z.literal('base64'), media_type: z.literal('application/pdf'), data: z.string().min(1) });
const PlainText = z.strictObject({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() });

/** A text block of a session's input or a tool's result. */
export const TextInputBlock = z.strictObject({ type: z.literal('text'), text: z.string().min(1) });
/** An image, by base64 data or URL. */
export const ImageInputBlock = z.strictObject({ type: z.literal('image'), source: z.union([Base64Image, UrlSource]) });
/** A document (PDF by base64 or URL, or plain text), optionally titled. */
export const DocumentInputBlock = z.strictObject({
  type: z.literal('document'),
  source: z.union([Base64Pdf, UrlSource, PlainText]),
  title: z.string().optional(),
  context: z.string().optional(),
});

/** What a session's `input` or a tool result may hold besides a string: the Messages API's content blocks. */
export const InputBlock = z.discriminatedUnion('type', [TextInputBlock, ImageInputBlock, DocumentInputBlock]);
export type InputBlock = z.infer<typeof InputBlock>;

/** A session's task: text, or content blocks (text, images, documents). */
export const SessionInput = z.union([z.string().min(1), z.array(InputBlock).min(1, 'input needs at least one content block')]);
export type SessionInput = z.infer<typeof SessionInput>;

/** The text of an input, for display and records: its text blocks, with a marker per image or document. */
export function inputText(input: SessionInput): string {
  if (typeof input === 'string') return input;
  return input.map((b) => (b.type === 'text' ? b.text : b.type === 'image' ? '[image]' : `[document${b.title ? `: ${b.title}` : ''}]`)).join('\n');
}
