import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Attachment', {
  description:
    'A file of a message. Download it from GET /attachments/{id} (signed in; always as a download).',
})
export class AttachmentObject {
  @Field(() => ID) id!: string;
  @Field({ description: 'Sanitized file name.' }) filename!: string;
  @Field(() => Int) size!: number;
  @Field({ description: "Content type recognised from the bytes (not the sender's claim)." })
  contentType!: string;
  @Field(() => String, { nullable: true, description: 'The content type the sender declared.' })
  declaredType!: string | null;
  @Field({ description: 'sha256 of the content (files are stored once by content).' })
  sha256!: string;
}
