/**
 * An actor's pending messages, first in first out. A plain array rather than an Effect Queue:
 * nobody ever waits on it (a fiber is started when a message lands in an idle mailbox), and
 * an empty Queue costs two Deferreds per actor.
 */
export class Mailbox<A> {
  private items: Array<A | undefined> = []
  private head = 0

  get isEmpty(): boolean {
    return this.head === this.items.length
  }

  push(item: A): void {
    this.items.push(item)
  }

  /** The oldest item; only call when not empty. */
  shift(): A {
    const item = this.items[this.head] as A
    this.items[this.head] = undefined
    this.head++
    if (this.head === this.items.length) {
      this.items.length = 0
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // A long backlog drained from the front: drop the spent half instead of growing forever.
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** Empties the mailbox, oldest first. */
  takeAll(): Array<A> {
    const rest = this.items.slice(this.head) as Array<A>
    this.items = []
    this.head = 0
    return rest
  }
}
