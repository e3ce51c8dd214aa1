import { test, expect } from '@playwright/test';
import { createUser, hydrated, signIn, rowAction } from './helpers';

// What the server refuses while a dialog is open shows in the dialog, where
// the eye is: beside the field it names (aria-invalid, focused), or at the
// top of the dialog. Never only as a toast under the modal's backdrop.

test('a taken email shows beside the field, which is marked and focused', async ({ page }) => {
  await signIn(page);
  await createUser(page, 'taken@example.com', 'Taken Once', 'a long enough password');
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  const email = dialog.getByLabel('Email');
  await email.fill('taken@example.com');
  await dialog.getByLabel('Name').fill('Taken Twice');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.locator('#new-user-email-error')).toContainText('taken');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toBeFocused();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Name')).toHaveValue('Taken Twice');
  await expect(page.locator('.toast-failure')).toHaveCount(0);

  // Mended, the mark goes.
  await email.fill('taken-two@example.com');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status').first()).toContainText('Created taken-two@example.com.');
  await expect(dialog).toBeHidden();
});

test('a bad value moves focus to the first refused field', async ({ page }) => {
  await signIn(page);
  await page.goto('/users');
  await hydrated(page);
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Email').fill('not-an-email');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByLabel('Email')).toBeFocused();
});

test('an existing role key shows beside the key field', async ({ page }) => {
  await signIn(page);
  await page.goto('/roles');
  await hydrated(page);
  await page.getByRole('button', { name: 'New role' }).click();
  const editor = page.getByRole('dialog', { name: 'New role' });
  const key = editor.getByLabel('Key', { exact: true });
  await key.fill('viewer');
  await editor.getByLabel('Name', { exact: true }).fill('Another viewer');
  await editor.getByRole('button', { name: 'Create role' }).click();
  await expect(editor.locator('#role-key-error')).toBeVisible();
  await expect(key).toHaveAttribute('aria-invalid', 'true');
  await expect(key).toBeFocused();
  await expect(page.locator('.toast-failure')).toHaveCount(0);
});

test('a refusal that names no field shows at the top of the open dialog', async ({ page }) => {
  await signIn(page);
  await page.goto('/users?q=admin%40example.com');
  await hydrated(page);
  await rowAction(page, 'Delete admin@example.com');
  const confirm = page.getByRole('dialog', { name: 'Delete user' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  const alert = confirm.getByRole('alert');
  await expect(alert).toContainText('no active administrator');
  await expect(alert).toBeFocused();
  await expect(page.locator('.toast-failure')).toHaveCount(0);
  // The dialog still closes as any other.
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
});
