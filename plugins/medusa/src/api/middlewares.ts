import { defineMiddlewares } from '@medusajs/framework/http';

/**
 * Robokassa's callbacks and redirects are form posts from Robokassa or the buyer's browser: keep the raw body so the
 * signature is verified over the exact bytes received (Medusa's parser would have decoded it already).
 */
export default defineMiddlewares({
  routes: [
    // Every callback route reads its raw body itself, so a bad body (invalid JSON, over 100 kB, another charset,
    // too many fields) gets the plugin's fixed 4xx rather than Medusa's parser's own answer (issue #11 §1).
    { matcher: '/robokassa/result', method: ['POST'], bodyParser: false },
    { matcher: '/robokassa/success', method: ['POST'], bodyParser: false },
    { matcher: '/robokassa/fail', method: ['POST'], bodyParser: false },
    // ResultUrl2 is a bare JWS sent as application/json, which the JSON parser would refuse: the route reads it raw.
    { matcher: '/robokassa/result2', method: ['POST'], bodyParser: false },
    // Assist's notification is checked over the values exactly as posted; its returns may be form posts too.
    { matcher: '/assist/notification', method: ['POST'], bodyParser: { preserveRawBody: true } },
    { matcher: '/assist/return/*', method: ['POST'], bodyParser: { preserveRawBody: true } },
  ],
});
