import { z } from 'zod';
import type { UserClaims } from '../model';

/** What the admin API accepts for users. */

const username = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/,
    'must be 1-128 letters, digits, ".", "_", "@", "+" or "-", starting with a letter or digit',
  );

const password = z.string().min(8, 'must be at least 8 characters').max(1024);

const text = z.string().min(1).max(1000);

/** OpenID Connect Core 5.1 standard claims; userinfo releases them by scope (src/users/claims.ts). */
export const claimsSchema = z.strictObject({
  name: text.optional(),
  given_name: text.optional(),
  family_name: text.optional(),
  middle_name: text.optional(),
  nickname: text.optional(),
  preferred_username: text.optional(),
  profile: z.url().optional(),
  picture: z.url().optional(),
  website: z.url().optional(),
  email: z.email().optional(),
  email_verified: z.boolean().optional(),
  gender: text.optional(),
  birthdate: z
    .string()
    .regex(/^\d{4}(-\d{2}-\d{2})?$/, 'must be YYYY or YYYY-MM-DD')
    .optional(),
  zoneinfo: text.optional(),
  locale: text.optional(),
  phone_number: text.optional(),
  phone_number_verified: z.boolean().optional(),
  address: z
    .strictObject({
      formatted: text.optional(),
      street_address: text.optional(),
      locality: text.optional(),
      region: text.optional(),
      postal_code: text.optional(),
      country: text.optional(),
    })
    .optional(),
}) satisfies z.ZodType<UserClaims, unknown>;

export const newUserSchema = z.strictObject({ username, password, claims: claimsSchema.default({}) });

/** A PUT: the username (the path's), a new password, new claims, or both. */
export const userUpdateSchema = z
  .strictObject({ username: username.optional(), password: password.optional(), claims: claimsSchema.optional() })
  .refine((update) => update.password !== undefined || update.claims !== undefined, 'give a new password, new claims, or both');
